package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// Why a spawner: on Linux a child's ru_maxrss is at least the parent's
// resident set at the time it was started, because the kernel folds the
// high-water mark of the address space the child leaves at exec (the
// parent's, shared under vfork, or its copy under fork) into the child's
// maxrss. This process holds the fake DocuSign (tens to hundreds of MiB
// after a few workloads), so a worker started from here would report our
// peak instead of its own. Workers are therefore started by a small copy
// of this program launched first thing, while our own resident set is a
// few MiB; that is the floor below which peak RSS cannot be measured, and
// it is reported with the results.

// spawnerEnv marks the re-executed copy of this program that only starts
// workers.
const spawnerEnv = "BENCHCOMPARE_SPAWNER"

// spawnRequest asks the spawner to run one process.
type spawnRequest struct {
	Argv      []string      `json:"argv"`
	Env       []string      `json:"env"`
	Timeout   time.Duration `json:"timeout"`
	TeeStderr bool          `json:"tee_stderr"`
}

// spawnResult is what the spawner saw of the process.
type spawnResult struct {
	Stdout []byte        `json:"stdout"`
	Stderr []byte        `json:"stderr"`
	RSS    int64         `json:"rss"` // peak resident set in bytes, from rusage; 0 unknown
	Wall   time.Duration `json:"wall"`
	Err    string        `json:"err,omitempty"` // start failure, exit status or timeout
}

// spawner is the running spawner process, used one request at a time.
type spawner struct {
	mu  sync.Mutex
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// startSpawner re-executes this program as a spawner.
func startSpawner() (*spawner, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("starting the worker spawner: %w", err)
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), spawnerEnv+"=1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the worker spawner: %w", err)
	}
	return &spawner{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<16)}, nil
}

// run runs one process through the spawner.
func (s *spawner) run(ctx context.Context, req spawnRequest) (spawnResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := json.Marshal(req)
	if err != nil {
		return spawnResult{}, err
	}
	type reply struct {
		res spawnResult
		err error
	}
	done := make(chan reply, 1)
	go func() {
		var r reply
		if _, err := s.in.Write(append(b, '\n')); err != nil {
			r.err = fmt.Errorf("worker spawner: %w", err)
		} else if line, err := s.out.ReadBytes('\n'); err != nil {
			r.err = fmt.Errorf("worker spawner: %w", err)
		} else {
			r.err = json.Unmarshal(line, &r.res)
		}
		done <- r
	}()
	select {
	case r := <-done:
		return r.res, r.err
	case <-ctx.Done():
		s.close() // the spawner's children are ended with it (see serveSpawner)
		return spawnResult{}, ctx.Err()
	}
}

// close stops the spawner: it exits when its input ends.
func (s *spawner) close() {
	s.in.Close()
	s.cmd.Wait()
}

// serveSpawner runs processes as asked on r, one at a time, answering on
// w, until r ends.
func serveSpawner(r io.Reader, w io.Writer) error {
	in := bufio.NewScanner(r)
	in.Buffer(make([]byte, 1<<16), 1<<24)
	enc := json.NewEncoder(w)
	for in.Scan() {
		var req spawnRequest
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			return fmt.Errorf("spawner: bad request: %w", err)
		}
		if err := enc.Encode(spawn(req)); err != nil {
			return err
		}
	}
	return in.Err()
}

// spawn runs one process and reports its output and cost.
func spawn(req spawnRequest) spawnResult {
	var res spawnResult
	if len(req.Argv) == 0 {
		res.Err = "no command"
		return res
	}
	ctx := context.Background()
	if req.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, req.Timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, req.Argv[0], req.Argv[1:]...)
	cmd.Env = req.Env
	cmd.WaitDelay = time.Second // don't wait on a killed worker's leftover children
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if req.TeeStderr {
		cmd.Stderr = io.MultiWriter(&stderr, os.Stderr)
	}
	start := time.Now()
	err := cmd.Run()
	res.Wall = time.Since(start)
	res.Stdout, res.Stderr = stdout.Bytes(), stderr.Bytes()
	if cmd.ProcessState != nil {
		res.RSS = peakRSS(cmd.ProcessState)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		res.Err = fmt.Sprintf("timed out after %v", req.Timeout)
	} else if err != nil {
		res.Err = err.Error()
	}
	return res
}

// rssFloor is the peak RSS the spawner reports for a process that does
// nothing (true(1)): the smallest peak it can measure. 0 when unknown.
func rssFloor(ctx context.Context, sp *spawner) int64 {
	path, err := exec.LookPath("true")
	if err != nil {
		return 0
	}
	res, err := sp.run(ctx, spawnRequest{Argv: []string{path}, Timeout: 10 * time.Second})
	if err != nil || res.Err != "" {
		return 0
	}
	return res.RSS
}
