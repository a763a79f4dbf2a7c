//go:build linux || darwin

package console

import (
	"os"
	"syscall"
	"unsafe"
)

// columns asks the terminal f is for its width; 0 when it cannot tell.
func columns(f *os.File) int {
	var ws struct{ rows, cols, x, y uint16 }
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), uintptr(syscall.TIOCGWINSZ), uintptr(unsafe.Pointer(&ws)))
	if errno != 0 {
		return 0
	}
	return int(ws.cols)
}
