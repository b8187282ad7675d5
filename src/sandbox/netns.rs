//! Network namespaces: a fresh one has no interfaces but a loopback that is down. A confined
//! program gets one of its own (no network at all) or, for debugging, one shared by the debug
//! adapter and the debuggee so they can talk over 127.0.0.1 — and loupe opens its own extra
//! connections to the adapter (one per child process, DAP `startDebugging`) from a thread that
//! has entered that namespace: a socket stays in the namespace it was created in.
//!
//! A run takes a namespace made ahead of time when there is one ([`super::netns_pool`]), and
//! makes its own otherwise.

use std::fs::File;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::Mutex;

use anyhow::{anyhow, Context};

use super::netns_pool::PoolEntry;

/// A network namespace kept alive by a descriptor (`/proc/thread-self/ns/net` of the thread
/// that created it), and for a loupe without CAP_SYS_ADMIN the user namespace that owns it
/// ([`super::userns`]).
#[derive(Debug)]
pub struct NetNamespace {
    fd: OwnedFd,
    user: Option<OwnedFd>,
    /// Where it came from, when it was made ahead of time: removed once the run has it.
    pool_entry: Option<PoolEntry>,
}

impl Drop for NetNamespace {
    fn drop(&mut self) {
        if let Some(entry) = &self.pool_entry {
            entry.remove();
        }
    }
}

impl NetNamespace {
    /// Starts creating a namespace with loopback up on a short-lived thread of its own (a thread
    /// can change its own network namespace without affecting the rest of loupe; the kernel takes
    /// most of a millisecond, which overlaps with the rest of the sandbox's set-up).
    /// Without CAP_SYS_ADMIN the namespace belongs to a new user namespace (the run's), made
    /// per run: no pool (see docs/SANDBOX.md for the figures).
    pub fn start() -> anyhow::Result<PendingNamespace> {
        if !super::capabilities::get().admin {
            let thread = std::thread::Builder::new()
                .name("loupe-userns".into())
                .spawn(|| -> anyhow::Result<NetNamespace> {
                    let made = super::userns::create(true).context("creating a user namespace")?;
                    let fd = made.net.context("the user namespace came without its network namespace")?;
                    Ok(NetNamespace { fd, user: Some(made.user), pool_entry: None })
                })
                .context("starting a thread")?;
            run_elsewhere(&thread);
            return Ok(PendingNamespace::Making(thread));
        }
        if let Some(claimed) = super::netns_pool::claim() {
            let namespace = NetNamespace { fd: claimed.fd, user: None, pool_entry: Some(claimed.entry) };
            return Ok(PendingNamespace::Ready(namespace));
        }
        let thread = std::thread::Builder::new()
            .name("loupe-netns".into())
            .spawn(|| -> anyhow::Result<NetNamespace> {
                // SAFETY: plain system calls on this thread only.
                if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
                    return Err(std::io::Error::last_os_error()).context("unshare(CLONE_NEWNET)");
                }
                // SAFETY: as above.
                unsafe { loopback_up() }.context("bringing up the loopback interface")?;
                let file = File::open("/proc/thread-self/ns/net").context("opening the new network namespace")?;
                Ok(NetNamespace { fd: OwnedFd::from(file), user: None, pool_entry: None })
            })
            .context("starting a thread")?;
        run_elsewhere(&thread);
        Ok(PendingNamespace::Making(thread))
    }

    pub fn raw_fd(&self) -> i32 {
        self.fd.as_raw_fd()
    }

    /// The user namespace that owns this one, when loupe made it without privileges: a process
    /// joins it first.
    pub fn user_fd(&self) -> Option<i32> {
        self.user.as_ref().map(AsRawFd::as_raw_fd)
    }

    /// Once the run's first process has started: drops this namespace's pool entry and makes
    /// the next run's namespace, both in the background.
    pub fn tend_pool(&self) {
        if self.user.is_some() {
            // Per run without privileges: measured not worth a pool (docs/SANDBOX.md).
            return;
        }
        super::netns_pool::tend_in_background(self.pool_entry.clone());
    }

    /// Connects to `host:port` inside the namespace.
    pub async fn connect(&self, host: &str, port: u16) -> anyhow::Result<tokio::net::TcpStream> {
        if let Some(user) = &self.user {
            // A thread cannot join a user namespace: a short-lived process connects for loupe.
            let address: std::net::Ipv4Addr =
                host.parse().ok().filter(std::net::Ipv4Addr::is_loopback).with_context(|| {
                    format!("{host}: only 127.0.0.1 is reachable inside the sandbox's network namespace")
                })?;
            let (user, net) = (user.try_clone()?, self.fd.try_clone()?);
            let stream = tokio::task::spawn_blocking(move || {
                super::userns::connect_inside(user.as_raw_fd(), net.as_raw_fd(), address, port)
            })
            .await
            .context("connecting inside the sandbox")??;
            stream.set_nonblocking(true)?;
            return Ok(tokio::net::TcpStream::from_std(stream)?);
        }
        let fd = self.fd.try_clone().context("duplicating the namespace descriptor")?;
        let host = host.to_string();
        let stream = tokio::task::spawn_blocking(move || {
            // A thread of its own, ended right after: it never goes back to loupe's namespace,
            // so no pooled thread is left inside the sandbox's.
            std::thread::spawn(move || -> anyhow::Result<std::net::TcpStream> {
                // SAFETY: plain system call on this thread only.
                if unsafe { libc::setns(fd.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
                    return Err(std::io::Error::last_os_error()).context("entering the sandbox's network namespace");
                }
                let stream = std::net::TcpStream::connect((host.as_str(), port))?;
                stream.set_nonblocking(true)?;
                Ok(stream)
            })
            .join()
            .map_err(|_| anyhow!("the connecting thread panicked"))?
        })
        .await
        .context("connecting inside the sandbox")??;
        Ok(tokio::net::TcpStream::from_std(stream)?)
    }
}

/// A namespace started before loupe knew whether it needs one ([`start_early`]).
static EARLY: Mutex<Option<PendingNamespace>> = Mutex::new(None);

/// Starts building a network namespace at once, before the arguments are parsed: `loupe exec`
/// and `loupe tool` nearly always confine the network, and the kernel's half millisecond then
/// overlaps with loupe's own start instead of adding to it. One that is not used (network
/// allowed, sandbox off, no privileges) is given back ([`PendingNamespace::release`]).
pub fn start_early() {
    if let (Ok(pending), Ok(mut early)) = (NetNamespace::start(), EARLY.lock()) {
        *early = Some(pending);
    }
}

/// The namespace [`start_early`] started, if any.
pub fn take_early() -> Option<PendingNamespace> {
    EARLY.lock().ok().and_then(|mut early| early.take())
}

/// A namespace being created, or taken ready from the pool ([`NetNamespace::start`]).
#[derive(Debug)]
pub enum PendingNamespace {
    Ready(NetNamespace),
    Making(std::thread::JoinHandle<anyhow::Result<NetNamespace>>),
}

impl PendingNamespace {
    pub fn wait(self) -> anyhow::Result<NetNamespace> {
        match self {
            PendingNamespace::Ready(namespace) => Ok(namespace),
            PendingNamespace::Making(thread) => {
                thread.join().map_err(|_| anyhow!("the network namespace thread panicked"))?
            }
        }
    }

    /// For a run that needs no namespace after all: one taken from the pool goes back to it
    /// untouched (otherwise the next run would find the pool empty); one being made is left to
    /// its thread and vanishes with loupe.
    pub fn release(self) {
        if let PendingNamespace::Ready(mut namespace) = self {
            if let Some(entry) = namespace.pool_entry.take() {
                entry.release();
            }
        }
    }
}

/// Moves the new `thread` off the CPU loupe's main thread is on, when there is another one.
/// A new thread otherwise waits on that CPU until the main thread blocks (measured: it started
/// only when the main thread joined it, a millisecond later, so the kernel's work never
/// overlapped anything); moved, it runs at once beside the main thread.
fn run_elsewhere<T>(thread: &std::thread::JoinHandle<T>) {
    use std::os::unix::thread::JoinHandleExt;
    // SAFETY: CPU-set manipulation on local values; the thread handle is alive.
    unsafe {
        let current = libc::sched_getcpu();
        let mut allowed: libc::cpu_set_t = std::mem::zeroed();
        if current < 0 || libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut allowed) != 0 {
            return;
        }
        libc::CPU_CLR(current as usize, &mut allowed);
        if libc::CPU_COUNT(&allowed) == 0 {
            return;
        }
        libc::pthread_setaffinity_np(thread.as_pthread_t(), std::mem::size_of::<libc::cpu_set_t>(), &allowed);
    }
}

/// Sets IFF_UP on `lo` in the calling thread's network namespace.
///
/// # Safety
/// Plain system calls.
pub(super) unsafe fn loopback_up() -> std::io::Result<()> {
    let socket = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
    if socket < 0 {
        return Err(std::io::Error::last_os_error());
    }
    let mut request: libc::ifreq = std::mem::zeroed();
    for (i, b) in b"lo\0".iter().enumerate() {
        request.ifr_name[i] = *b as libc::c_char;
    }
    let mut result = libc::ioctl(socket, libc::SIOCGIFFLAGS, &mut request);
    if result == 0 {
        request.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
        result = libc::ioctl(socket, libc::SIOCSIFFLAGS, &request);
    }
    let error = std::io::Error::last_os_error();
    libc::close(socket);
    if result != 0 {
        return Err(error);
    }
    Ok(())
}
