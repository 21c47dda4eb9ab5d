package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// ptArchiver runs Percona's pt-archiver against the program's database.
type ptArchiver struct {
	path string
	// source is pt-archiver's --source DSN without the table.
	source string
}

// ptTarget returns how to run pt-archiver, or nil when c.pt is "off", or
// "auto" and the database is not MySQL/MariaDB or pt-archiver is missing.
func ptTarget(c config, db *gorm.DB, dialect string) (*ptArchiver, error) {
	switch c.pt {
	case "off":
		return nil, nil
	case "auto", "on":
	default:
		return nil, fmt.Errorf("-pt %q: want auto, on or off", c.pt)
	}
	path, err := exec.LookPath("pt-archiver")
	if err == nil && dialect != "mysql" {
		err = fmt.Errorf("pt-archiver runs on MySQL/MariaDB only, not %s", dialect)
	}
	if err == nil {
		var src string
		if src, err = ptSource(c.dsn, db); err == nil {
			return &ptArchiver{path: path, source: src}, nil
		}
	}
	if c.pt == "on" {
		return nil, fmt.Errorf("-pt on: %w (install it with: bash scripts/percona.sh)", err)
	}
	return nil, nil
}

// ptSource turns the -dsn of a MySQL server into pt-archiver's
// h=…,P=…,u=…[,p=…],D=… for the database the program works in.
func ptSource(dsn string, db *gorm.DB) (string, error) {
	cfg, err := mysqlConfig(dsn)
	if err != nil {
		return "", err
	}
	var dbName string
	if err := db.Raw("SELECT DATABASE()").Row().Scan(&dbName); err != nil {
		return "", err
	}
	parts := []string{}
	switch cfg.Net {
	case "unix":
		parts = append(parts, "S="+cfg.Addr)
	default:
		host, port, err := net.SplitHostPort(cfg.Addr)
		if err != nil {
			host, port = cfg.Addr, "3306"
		}
		parts = append(parts, "h="+host, "P="+port)
	}
	parts = append(parts, "u="+cfg.User)
	if cfg.Passwd != "" {
		if strings.ContainsAny(cfg.Passwd, ",=") {
			return "", errors.New("pt-archiver's DSN cannot carry a password with ',' or '='")
		}
		parts = append(parts, "p="+cfg.Passwd)
	}
	return strings.Join(append(parts, "D="+dbName), ","), nil
}

func mysqlConfig(dsn string) (*gomysql.Config, error) {
	if !strings.HasPrefix(dsn, "mysql://") {
		return gomysql.ParseDSN(dsn)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, err
	}
	cfg := gomysql.NewConfig()
	cfg.Net, cfg.Addr, cfg.User = "tcp", u.Host, u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	return cfg, nil
}

// purge runs pt-archiver --purge --bulk-delete --commit-each --limit size over
// the selected rows of a fresh table. Its longest chunk is the largest gap
// between two of its --progress lines (printed every size rows, flushed as
// they are written), timed as they arrive.
func (p *ptArchiver) purge(ctx context.Context, db *gorm.DB, rows, size int) (result, error) {
	r := result{tool: "pt-archiver --purge --bulk-delete --commit-each", size: size}
	if err := reset(ctx, db); err != nil {
		return r, err
	}
	n := strconv.Itoa(size)
	cmd := exec.CommandContext(ctx, p.path,
		"--source", p.source+",t=events",
		"--where", "status = 'expired'",
		"--purge", "--bulk-delete", "--commit-each", "--primary-key-only",
		"--limit", n, "--progress", n, "--statistics", "--no-check-charset")
	// Perl buffers a pipe: a module loaded through PERL5OPT makes its STDOUT
	// flush every line, so each --progress line is timed when it is written.
	dir, err := os.MkdirTemp("", "purgebench-perl-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "PurgebenchFlush.pm"), []byte("package PurgebenchFlush; use IO::Handle; STDOUT->autoflush(1); 1;\n"), 0o600); err != nil {
		return r, err
	}
	cmd.Env = append(os.Environ(), "PERL5LIB="+dir, "PERL5OPT=-MPurgebenchFlush")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return r, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return r, err
	}
	last, lastCount := time.Time{}, int64(-1)
	var output []string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		now, line := time.Now(), sc.Text()
		output = append(output, line)
		// --progress lines: TIME ELAPSED COUNT.
		f := strings.Fields(line)
		if len(f) != 3 || !strings.Contains(f[0], "T") {
			if len(f) == 2 && f[0] == "DELETE" {
				r.rows, _ = strconv.ParseInt(f[1], 10, 64)
			}
			continue
		}
		count, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			continue
		}
		if lastCount >= 0 && count > lastCount {
			r.chunks++
			if d := now.Sub(last); d > r.longest {
				r.longest = d
			}
		}
		last, lastCount = now, count
	}
	err = cmd.Wait()
	r.total = time.Since(start)
	if err != nil {
		return r, fmt.Errorf("pt-archiver: %w\n%s\n%s", err, strings.Join(output, "\n"), stderr.String())
	}
	if r.rows != selected(rows) {
		return r, fmt.Errorf("pt-archiver's statistics say DELETE %d, want %d:\n%s", r.rows, selected(rows), strings.Join(output, "\n"))
	}
	return r, verifyPurged(ctx, db, rows)
}
