import threading

results = {}
# Both workers are running before either reaches the breakpoint: pydevd (debugpy 1.8.22) can drop
# a thread that is still starting from its thread table, and then never reports its breakpoints.
both_running = threading.Barrier(2)


def work(name, n):
    both_running.wait()
    total = 0
    for i in range(n):
        total += i
    results[name] = total  # worker breakpoint


threads = [threading.Thread(target=work, args=(f"w{k}", 10 + k), name=f"worker-{k}") for k in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(results.items()))
