//! Namespaces for a loupe without CAP_SYS_ADMIN: a user namespace per run, in which the run's
//! processes get the same PID, mount and network namespaces root's get.
//!
//! A thread of a multi-threaded process can neither create nor join a user namespace, so the
//! namespaces are made by a short-lived process that shares loupe's memory and descriptor table
//! (`clone(CLONE_VM | CLONE_VFORK | CLONE_FILES)`, like `posix_spawn`, while the calling thread
//! waits): it creates the user namespace (and, unless the network is allowed, a network namespace
//! owned by it, with loopback up), maps its own uid and gid to themselves with `setgroups`
//! denied (what an unprivileged process may write), and opens both namespaces — the descriptors
//! land in loupe's table and keep the namespaces alive after it exits. Each process of the run
//! then `setns`es into the user namespace (it has every capability there: its owner is the same
//! user) and from there into the network namespace and creates its PID and mount namespaces as a
//! privileged loupe's children do ([`super::child`]).
//!
//! loupe's own connections into the network namespace (debugpy's `startDebugging`) are made the
//! same way: a short-lived process joins both namespaces, connects, and leaves the socket in
//! loupe's table ([`connect_inside`]).

use std::ffi::CStr;
use std::io;
use std::os::fd::{FromRawFd, OwnedFd};

/// A run's user namespace, and the network namespace it owns when the network is confined.
#[derive(Debug)]
pub struct UserNamespace {
    pub user: OwnedFd,
    pub net: Option<OwnedFd>,
}

/// What the short-lived process is to do, and what it found (it shares this memory).
struct Job<'a> {
    task: Task<'a>,
    /// Filled in by the process: descriptors (in the shared table), or the failing step.
    fds: [i32; 2],
    errno: i32,
    step: &'static str,
}

enum Task<'a> {
    Create { network: bool, uid_map: &'a CStr, gid_map: &'a CStr },
    Connect { user: i32, net: i32, address: libc::sockaddr_in },
}

/// Creates a run's user namespace (and its network namespace, with loopback up, when `network`).
/// Fails with the step that failed when the kernel refuses unprivileged user namespaces.
pub fn create(network: bool) -> io::Result<UserNamespace> {
    // SAFETY: getuid/getgid cannot fail.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    let uid_map = std::ffi::CString::new(format!("{uid} {uid} 1\n")).map_err(io::Error::other)?;
    let gid_map = std::ffi::CString::new(format!("{gid} {gid} 1\n")).map_err(io::Error::other)?;
    let job = run(Task::Create { network, uid_map: &uid_map, gid_map: &gid_map })?;
    // SAFETY: the process opened these descriptors in our table for us; nothing else owns them.
    let user = unsafe { OwnedFd::from_raw_fd(job[0]) };
    let net = network.then(|| unsafe { OwnedFd::from_raw_fd(job[1]) });
    Ok(UserNamespace { user, net })
}

/// A TCP socket connected to `address:port` (a loopback address) inside the network namespace
/// `net` (owned by the user namespace `user`).
pub fn connect_inside(user: i32, net: i32, address: std::net::Ipv4Addr, port: u16) -> io::Result<std::net::TcpStream> {
    let address = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: port.to_be(),
        sin_addr: libc::in_addr { s_addr: u32::from(address).to_be() },
        sin_zero: [0; 8],
    };
    let job = run(Task::Connect { user, net, address })?;
    // SAFETY: a connected socket the process left in our table.
    Ok(unsafe { std::net::TcpStream::from_raw_fd(job[0]) })
}

/// Runs `task` in a process sharing this memory and descriptor table; returns its descriptors.
fn run(task: Task) -> io::Result<[i32; 2]> {
    const STACK: usize = 64 * 1024;
    let mut stack = vec![0u8; STACK];
    let mut job = Job { task, fds: [-1, -1], errno: 0, step: "" };
    // SAFETY: the process only makes system calls on `job` and its own stack; CLONE_VFORK keeps
    // this thread (and so `job` and `stack`) waiting until it has exited.
    let pid = unsafe {
        let top = stack.as_mut_ptr().add(STACK) as usize & !15;
        libc::clone(
            job_main,
            top as *mut libc::c_void,
            libc::CLONE_VM | libc::CLONE_VFORK | libc::CLONE_FILES | libc::SIGCHLD,
            &mut job as *mut Job as *mut libc::c_void,
        )
    };
    if pid < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut status = 0;
    // SAFETY: reaping our own child.
    while unsafe { libc::waitpid(pid, &mut status, libc::__WALL) } < 0 {
        if io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            break;
        }
    }
    if job.errno != 0 {
        let error = io::Error::from_raw_os_error(job.errno);
        return Err(io::Error::new(error.kind(), format!("{}: {error}", job.step)));
    }
    Ok(job.fds)
}

extern "C" fn job_main(arg: *mut libc::c_void) -> libc::c_int {
    // SAFETY: `run` passed a Job that outlives this process (CLONE_VFORK).
    let job = unsafe { &mut *(arg as *mut Job) };
    // SAFETY: system calls only.
    let result = unsafe {
        match &job.task {
            Task::Create { network, uid_map, gid_map } => create_here(*network, uid_map, gid_map, &mut job.fds),
            Task::Connect { user, net, address } => connect_here(*user, *net, address, &mut job.fds),
        }
    };
    if let Err((step, errno)) = result {
        job.step = step;
        job.errno = errno.max(1);
        // Nothing may be left in loupe's table by a failed job.
        for fd in job.fds {
            if fd >= 0 {
                // SAFETY: a descriptor this process opened.
                unsafe { libc::close(fd) };
            }
        }
        job.fds = [-1, -1];
    }
    0
}

type Step = Result<(), (&'static str, i32)>;

fn errno() -> i32 {
    io::Error::last_os_error().raw_os_error().unwrap_or(libc::EINVAL)
}

unsafe fn check(result: libc::c_int, step: &'static str) -> Step {
    if result < 0 {
        return Err((step, errno()));
    }
    Ok(())
}

unsafe fn create_here(network: bool, uid_map: &CStr, gid_map: &CStr, fds: &mut [i32; 2]) -> Step {
    let flags = libc::CLONE_NEWUSER | if network { libc::CLONE_NEWNET } else { 0 };
    check(libc::unshare(flags), "unshare(CLONE_NEWUSER) (unprivileged user namespaces refused)")?;
    write_file(c"/proc/self/setgroups", c"deny", "writing /proc/self/setgroups")?;
    write_file(c"/proc/self/uid_map", uid_map, "writing /proc/self/uid_map")?;
    write_file(c"/proc/self/gid_map", gid_map, "writing /proc/self/gid_map")?;
    if network {
        super::netns::loopback_up()
            .map_err(|e| ("bringing up loopback in the user namespace", e.raw_os_error().unwrap_or(libc::EPERM)))?;
        fds[1] = libc::open(c"/proc/self/ns/net".as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
        check(fds[1], "opening /proc/self/ns/net")?;
    }
    fds[0] = libc::open(c"/proc/self/ns/user".as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC);
    check(fds[0], "opening /proc/self/ns/user")
}

unsafe fn write_file(path: &CStr, text: &CStr, step: &'static str) -> Step {
    let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
    check(fd, step)?;
    let bytes = text.to_bytes();
    let written = libc::write(fd, bytes.as_ptr().cast(), bytes.len());
    let error = errno();
    libc::close(fd);
    if written != bytes.len() as isize {
        return Err((step, error));
    }
    Ok(())
}

unsafe fn connect_here(user: i32, net: i32, address: &libc::sockaddr_in, fds: &mut [i32; 2]) -> Step {
    check(libc::setns(user, libc::CLONE_NEWUSER), "entering the run's user namespace")?;
    check(libc::setns(net, libc::CLONE_NEWNET), "entering the run's network namespace")?;
    fds[0] = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
    check(fds[0], "creating a socket")?;
    let connected = libc::connect(
        fds[0],
        (address as *const libc::sockaddr_in).cast(),
        std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
    );
    check(connected, "connecting inside the run's network namespace")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn a_connection_from_inside_does_not_reach_the_host_loopback() {
        // Root may create user namespaces too: the same calls loupe makes without privileges.
        let namespace = match create(true) {
            Ok(namespace) => namespace,
            Err(error) => {
                eprintln!("SKIPPED: this kernel refuses user namespaces here: {error}");
                return;
            }
        };
        let net = namespace.net.as_ref().expect("a network namespace was asked for");
        let host = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = host.local_addr().unwrap().port();
        let error = connect_inside(namespace.user.as_raw_fd(), net.as_raw_fd(), std::net::Ipv4Addr::LOCALHOST, port)
            .unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::ConnectionRefused, "{error}");
    }
}
