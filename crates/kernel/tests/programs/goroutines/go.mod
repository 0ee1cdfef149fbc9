module goroutines

go 1.20
