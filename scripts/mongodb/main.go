// Command tweetpulse-mongodb runs a MongoDB-wire-protocol server on a loopback port for tweetpulse's
// tests and for users without a MongoDB: FerretDB 1.x embedded as a library, its data in SQLite files.
//
//	tweetpulse-mongodb -listen 127.0.0.1:27017 -data .mongodb/data
//
// It stops cleanly on SIGINT or SIGTERM. scripts/mongodb-setup.sh builds and runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	data := flag.String("data", "data", "directory for the SQLite files")
	level := flag.String("log-level", "warn", "debug, info, warn or error")
	flag.Parse()

	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(os.Stderr, "tweetpulse-mongodb: bad -log-level %q: use debug, info, warn or error\n", *level)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))

	dir, err := filepath.Abs(*data)
	if err == nil {
		err = os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "tweetpulse-mongodb: can't use the data directory %s: %v\n", *data, err)
		os.Exit(1)
	}

	server, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "tweetpulse-mongodb: can't start: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Println(server.MongoDBURI())
	if err := server.Run(ctx); err != nil && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "tweetpulse-mongodb: stopped: %v\n", err)
		os.Exit(1)
	}
}
