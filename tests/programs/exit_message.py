# exit_message.py: ends the way command-line tools often do, with sys.exit and a message.
import sys

print("working")
sys.exit("fatal: nothing to do")
