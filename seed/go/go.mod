module shootout/seed-go

go 1.19
