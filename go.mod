module github.com/hackney-go/ws

go 1.26.0

require (
	github.com/klauspost/compress v1.20.4
	go.uber.org/goleak v1.3.0
	golang.org/x/term v0.48.0
)

require (
	golang.org/x/net v0.63.0
	golang.org/x/sys v0.50.0
)

require golang.org/x/text v0.44.0 // indirect
