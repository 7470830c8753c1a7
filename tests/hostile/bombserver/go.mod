module bombserver

go 1.19
