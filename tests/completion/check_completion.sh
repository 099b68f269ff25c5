#!/bin/bash
# completions/vfioctl as bash runs it on a Tab, against the built vfioctl (no bash-completion package needed: the
# two helpers it uses are stood in for). Every word it offers comes from vfioctl itself.
#   check_completion.sh VFIOCTL SOURCE_DIR
set -uo pipefail
PATH=$(dirname "$1"):$PATH
_init_completion() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
_filedir() { :; }
source "$2/completions/vfioctl"
failed=0
expect() { # WANTED WORDS...: the first offers after a Tab at the end of WORDS
    local wanted=$1; shift
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
    _vfioctl
    if [ "${COMPREPLY[*]}" = "$wanted" ]; then echo "ok   $* -> $wanted"; else echo "FAIL $* -> '${COMPREPLY[*]}', wanted '$wanted'"; failed=1; fi
}
expect "bind" vfioctl --owner manual b          # the value after --owner is not the command
expect "--force" vfioctl restore --vm x --f     # nor the value after --vm
expect "--discard-corrupt" vfioctl recover --d
expect "gpu nic vf nvme" vfioctl export nova --class ""
expect "assign" vfioctl ass
expect "" vfioctl bind --timeout ""             # a value: nothing to offer
exit $failed
