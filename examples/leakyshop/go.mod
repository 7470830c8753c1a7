module leakyshop

go 1.19
