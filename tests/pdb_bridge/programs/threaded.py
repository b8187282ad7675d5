"""Calls breakpoint() outside the main thread."""
import threading


def worker():
    x = 1
    breakpoint()
    print("worker done", x)


thread = threading.Thread(target=worker)
thread.start()
thread.join()
print("main done")
