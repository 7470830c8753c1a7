module gendump

go 1.19
