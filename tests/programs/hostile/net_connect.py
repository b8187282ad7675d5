"""Tries TCP to a listener on the host's loopback (argv[1] = port) and to the internet, and
sends UDP datagrams to the host's loopback (argv[2] = port)."""
import socket
import sys

tcp_port, udp_port = int(sys.argv[1]), int(sys.argv[2])
for address in (("127.0.0.1", tcp_port), ("1.1.1.1", 53)):
    try:
        socket.create_connection(address, timeout=3).close()
        print("TCP CONNECTED", address, flush=True)
    except OSError as e:
        print("tcp refused", address, type(e).__name__, e.errno, flush=True)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for address in (("127.0.0.1", udp_port), ("1.1.1.1", 53)):
    try:
        udp.sendto(b"escaped", address)
        print("udp sent (in the sandbox's own network)", address, flush=True)
    except OSError as e:
        print("udp refused", address, type(e).__name__, e.errno, flush=True)
