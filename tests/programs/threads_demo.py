import threading

results = {}


def work(name, n):
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
