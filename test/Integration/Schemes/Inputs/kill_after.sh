#!/bin/sh
# Stands in for a rank program in fault.test: runs the real program
# (this script's path + ".real") and kills it with SIGKILL after
# KILL_AFTER_S seconds (default 2), as if the device died mid-run.
exec timeout -s KILL "${KILL_AFTER_S:-2}" "$0.real" "$@"
