//! Attaching as one does to a container: the debuggee runs in its own root file system with the
//! program at `/app/main.py`, and loupe attaches with no `--path-map`, setting a breakpoint on a
//! local copy in a project directory. The mapping `/app` = that directory must be inferred.
//!
//! The root is made with `unshare --mount` and `chroot` (docker's engine does not run on these
//! machines): the test interpreter's installation and `/usr` bind-mounted read-only, `/dev` and a
//! `/proc`. It needs root (or CAP_SYS_ADMIN and CAP_SYS_CHROOT); without them the test is skipped
//! and says why, loudly.

mod common;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{python, Loupe};

const PROGRAM: &str = "def double(x):\n    y = x * 2\n    return y\n\n\nprint(double(21))\n";
/// `y = x * 2`
const BREAK_LINE: i64 = 2;

/// Mounts inside the new mount namespace, then runs debugpy chrooted. Everything mounted goes
/// away with the namespace when the debuggee ends.
const START: &str = r#"set -e
R=$1; PY=$2; PORT=$3; shift 3
mount --rbind /dev "$R/dev"
mount -t proc proc "$R/proc"
for d in "$@"; do mount --bind "$d" "$R$d"; mount -o remount,bind,ro "$R$d"; done
exec chroot "$R" "$PY" -m debugpy --listen "127.0.0.1:$PORT" --wait-for-client /app/main.py
"#;

/// A debuggee in its own root; its process group is killed on drop.
struct Contained {
    child: Child,
    _root: tempfile::TempDir,
}

impl Drop for Contained {
    fn drop(&mut self) {
        // The group this test made (process_group(0) below): the shell, unshare and the debuggee.
        let pgid = self.child.id() as libc::pid_t;
        // SAFETY: kill has no memory preconditions; a negative pid names only our own group.
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

/// Why the contained debuggee cannot be made here, if it cannot.
fn unavailable() -> Option<String> {
    for tool in ["unshare", "chroot", "mount"] {
        let found = std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()));
        if !found {
            return Some(format!("{tool} is not on PATH"));
        }
    }
    let ok = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return Some("`unshare --mount` fails (needs root or CAP_SYS_ADMIN)".into());
    }
    None
}

/// The test interpreter's installation: the directories a chrooted copy of it needs.
fn interpreter_dirs() -> Vec<PathBuf> {
    let out = Command::new(python())
        .args(["-c", "import sys; print(sys.prefix); print(sys.base_prefix)"])
        .output()
        .expect("running the test interpreter");
    let mut dirs: Vec<PathBuf> = vec![PathBuf::from("/usr")];
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let dir = PathBuf::from(line.trim());
        if !dir.starts_with("/usr") && !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    dirs
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Whether something listens on 127.0.0.1:`port`, read from /proc (connecting would count as
/// debugpy's client).
fn listening(port: u16) -> bool {
    let wanted = format!("0100007F:{port:04X}");
    std::fs::read_to_string("/proc/net/tcp").is_ok_and(|t| {
        t.lines().any(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.len() > 3 && f[1] == wanted && f[3] == "0A"
        })
    })
}

fn start_contained(port: u16) -> Contained {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    for d in ["app", "dev", "proc", "tmp"] {
        std::fs::create_dir_all(r.join(d)).unwrap();
    }
    // /bin, /lib, ... as the host has them (symlinks into /usr on merged-/usr systems).
    let mut mounts = interpreter_dirs();
    for top in ["bin", "lib", "lib64", "sbin"] {
        let host = Path::new("/").join(top);
        match std::fs::read_link(&host) {
            Ok(target) => std::os::unix::fs::symlink(target, r.join(top)).unwrap(),
            Err(_) if host.is_dir() => mounts.push(host),
            Err(_) => {}
        }
    }
    for m in &mounts {
        std::fs::create_dir_all(r.join(m.strip_prefix("/").unwrap())).unwrap();
    }
    std::fs::write(r.join("app/main.py"), PROGRAM).unwrap();
    let child = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", START, "start"])
        .arg(r)
        .arg(python())
        .arg(port.to_string())
        .args(&mounts)
        .env("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("starting unshare");
    let contained = Contained { child, _root: root };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !listening(port) {
        assert!(Instant::now() < deadline, "the contained debuggee did not listen on {port} within 30 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    contained
}

#[test]
fn attach_without_path_map_hits_a_breakpoint_in_the_local_copy() {
    if let Some(why) = unavailable() {
        eprintln!("\n*** SKIPPED attach_without_path_map_hits_a_breakpoint_in_the_local_copy: {why} ***\n");
        return;
    }
    let port = free_port();
    let contained = start_contained(port);
    let project = tempfile::tempdir().unwrap();
    let local = project.path().join("main.py");
    std::fs::write(&local, PROGRAM).unwrap();
    // The breakpoint is set before the program's path is known, through the local copy.
    let run = Loupe::new([
        "attach".to_string(),
        "--batch".into(),
        format!("127.0.0.1:{port}"),
        "--break".into(),
        format!("main.py:{BREAK_LINE}"),
        "-ex".into(),
        "stack".into(),
        "-ex".into(),
        "print x".into(),
        "-ex".into(),
        "locals".into(),
        "-ex".into(),
        "continue".into(),
    ])
    .cwd(project.path())
    .run();
    let notice = run.events("notice");
    assert!(
        notice.iter().any(|n| n["message"]
            .as_str()
            .is_some_and(|m| m.contains("/app (debuggee)") && m.contains(&project.path().display().to_string()))),
        "the inferred mapping is told\n{run}"
    );
    let local = local.display().to_string();
    assert_eq!(run.stop_lines(), vec![(BREAK_LINE, "breakpoint".into())], "{run}");
    assert_eq!(run.stops()[0]["file"], local, "the stop shows the local file\n{run}");
    let frames = run.result("stack")["frames"].as_array().unwrap().clone();
    assert!(frames.iter().all(|f| f["file"] == local), "every frame is the local copy\n{run}");
    assert_eq!(run.result("print")["value"], "21");
    assert_eq!(run.code, Some(0), "{run}");
    drop(contained);
}
