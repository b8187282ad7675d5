"""Tries to ptrace its parent and to read its parent's memory with process_vm_readv."""
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
PTRACE_ATTACH = 16
result = libc.ptrace(PTRACE_ATTACH, os.getppid(), None, None)
print("ptrace", result, "errno", ctypes.get_errno(), flush=True)


class IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


buffer = ctypes.create_string_buffer(16)
local = IoVec(ctypes.cast(buffer, ctypes.c_void_p), 16)
remote = IoVec(0x400000, 16)
libc.process_vm_readv.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
result = libc.process_vm_readv(os.getppid(), ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
print("process_vm_readv", result, "errno", ctypes.get_errno(), flush=True)
