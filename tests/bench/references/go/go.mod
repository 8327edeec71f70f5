module shootout/go-echo

go 1.19
