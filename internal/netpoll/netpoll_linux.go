package netpoll

import (
	"net"
	"os"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// The poller: one epoll instance for the process, made at the first
// Register and kept (a descriptor), and one goroutine that waits on it
// while some Handle is registered.
//
// The goroutine blocks in epoll_wait without a bound, as the runtime's own
// poller does: it is the wait for the next report. Closing the last Handle
// bounds it: that writes to wakeFd, which the goroutine reads, and it
// returns once it finds nothing registered.
var poller struct {
	once    sync.Once
	err     error
	epfd    int
	wakeFd  int // an eventfd that wakes the goroutine
	mu      sync.Mutex
	wakers  map[uint64]Waker // the registered sockets, by the id in their epoll data
	lastID  uint64
	running bool // the goroutine runs
}

// wakeID is the epoll data of wakeFd; a socket's id is never 0.
const wakeID = 0

func start() error {
	poller.once.Do(func() {
		poller.epfd, poller.err = unix.EpollCreate1(unix.EPOLL_CLOEXEC)
		if poller.err != nil {
			return
		}
		poller.wakeFd, poller.err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
		if poller.err != nil {
			unix.Close(poller.epfd)
			return
		}
		ev := unix.EpollEvent{Events: unix.EPOLLIN}
		setID(&ev, wakeID)
		if poller.err = unix.EpollCtl(poller.epfd, unix.EPOLL_CTL_ADD, poller.wakeFd, &ev); poller.err != nil {
			unix.Close(poller.wakeFd)
			unix.Close(poller.epfd)
			return
		}
		poller.wakers = make(map[uint64]Waker)
	})
	return poller.err
}

func setID(ev *unix.EpollEvent, id uint64) { ev.Fd, ev.Pad = int32(uint32(id)), int32(id>>32) }

func idOf(ev *unix.EpollEvent) uint64 { return uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32 }

// wait is the poller's goroutine: it hands each report to its socket's
// Waker, and returns once no socket is registered. The Wakers are told
// outside poller.mu, so that a Waker's owner may register or close a
// Handle under a lock that its Wake takes.
func wait() {
	events := make([]unix.EpollEvent, 128)
	var woken []Waker
	for {
		n, err := unix.EpollWait(poller.epfd, events, -1)
		if err != nil && err != unix.EINTR {
			panic("netpoll: epoll_wait: " + err.Error()) // only a bad epfd or buffer: a bug
		}
		poller.mu.Lock()
		for i := range n {
			id := idOf(&events[i])
			if id == wakeID {
				var b [8]byte
				unix.Read(poller.wakeFd, b[:])
				continue
			}
			// A report for a socket closed since finds no Waker: a
			// Handle's id is never reused.
			if w := poller.wakers[id]; w != nil {
				woken = append(woken, w)
			}
		}
		if len(poller.wakers) == 0 {
			poller.running = false
			poller.mu.Unlock()
			return
		}
		poller.mu.Unlock()
		// A Handle closed meanwhile may still be told: its owner takes a
		// report it no longer waits for as nothing.
		for i, w := range woken {
			w.Wake()
			woken[i] = nil
		}
		woken = woken[:0]
	}
}

// Handle is a socket's registration with the poller. Arm is for one
// goroutine at a time: the one that owns the socket's reading.
type Handle struct {
	rc    syscall.RawConn
	id    uint64
	added bool // in the epoll set; armed after that by EPOLL_CTL_MOD
	// ctl's argument and result, kept here, and ctl as a func value made
	// once, so that Arm allocates nothing.
	op    int
	errno error
	ctlFn func(fd uintptr)
}

// Register registers a socket, a *net.TCPConn or *net.UnixConn, for w;
// nil when the poller cannot serve it (another kind of net.Conn, or the
// poller could not start), in which case the caller waits as usual.
func Register(c net.Conn, w Waker) *Handle {
	sc, ok := c.(interface {
		SyscallConn() (syscall.RawConn, error)
	})
	switch c.(type) {
	case *net.TCPConn, *net.UnixConn:
	default:
		return nil
	}
	if !ok || start() != nil {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	h := &Handle{rc: rc}
	h.ctlFn = h.ctl
	poller.mu.Lock()
	poller.lastID++
	h.id = poller.lastID
	poller.wakers[h.id] = w
	if !poller.running {
		poller.running = true
		go wait()
	}
	poller.mu.Unlock()
	return h
}

// Arm asks for one report, once the socket is readable or its peer has
// closed or failed (at once if it already is): the Waker is told once,
// and Arm must be called again for the next report. It fails once the
// socket is closed: no report will come.
func (h *Handle) Arm() error {
	h.op = unix.EPOLL_CTL_MOD
	if !h.added {
		h.op = unix.EPOLL_CTL_ADD
	}
	// Control holds the descriptor open while ctl runs: a socket closed
	// meanwhile fails here instead of its number, reused, being armed.
	if err := h.rc.Control(h.ctlFn); err != nil {
		return err
	}
	if h.errno != nil {
		return os.NewSyscallError("epoll_ctl", h.errno)
	}
	h.added = true
	return nil
}

func (h *Handle) ctl(fd uintptr) {
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLONESHOT}
	setID(&ev, h.id)
	h.errno = unix.EpollCtl(poller.epfd, h.op, int(fd), &ev)
}

// Close forgets the socket: a report still on its way, or one from the
// socket while it stays open (it leaves the epoll set when it is closed,
// epoll(7)), finds no Waker. The poller's goroutine returns once the last
// Handle is closed.
func (h *Handle) Close() {
	poller.mu.Lock()
	delete(poller.wakers, h.id)
	if len(poller.wakers) == 0 && poller.running {
		one := [8]byte{1} // eventfd adds this uint64: any value but 0 wakes
		unix.Write(poller.wakeFd, one[:])
	}
	poller.mu.Unlock()
}
