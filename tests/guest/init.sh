#!/bin/busybox sh
# /init of Cairn's test guest (PID 1, busybox ash).  make-guest.sh packs it
# into the initramfs; README.md next to it describes the protocol in full.
#
# What it does, in this order, as the kernel command line says:
#   cairn.check=SPEC[,SPEC...]   compare disk bytes with a pattern
#                                (CAIRN-CHECK-OK / CAIRN-CHECK-FAIL SPEC)
#   cairn.result=DISK            the checks' outcome in DISK's first 512 bytes
#                                (CAIRN-CHECKS-OK / CAIRN-CHECKS-FAIL ...)
#   cairn.write=SPEC[,SPEC...]   write a pattern, then fsync (CAIRN-WRITE-OK)
#   cairn.loop=1 | cairn.loop=DISK:OFFSET:SLOTS:STRIDE
#       cairn.loop.ms=MS (100)   write numbered 4 KiB blocks round a ring of
#       cairn.loop.count=N (0)   slots until N blocks or the power button
#   cairn.agent=DISK             mount DISK (ext4, made by the host) on /mnt
#                                and run qemu-ga on the org.qemu.guest_agent.0
#                                port; its freeze hook logs CAIRN-AGENT-FREEZE
#                                and CAIRN-AGENT-THAW with the uptime
#       cairn.agent.mute=MS      first hold the port open MS ms, answering
#                                nothing (an agent that does not respond)
#       cairn.agent.loop=MS      write seq=N to /mnt/seq (fsync) every MS ms
#                                until the power button
#       cairn.agent.log=DISK     at the end, the agent's and the loop's log
#                                lines are written to raw DISK
#   cairn.wait=1                 idle until the ACPI power button
#   cairn.shell=1                a shell on the console before powering off
#   cairn.debug=1                trace this script
# SPEC is [DISK:]OFFSET:LENGTH:BYTE; DISK is vdX (default vda) or a disk's
# serial.  It always ends with CAIRN-GUEST-DONE or CAIRN-GUEST-FAILED and
# powers off.

PATH=/bin
export PATH
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# Without a /dev/console node in the initramfs the kernel gave us no stdio.
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
set -o pipefail

problems=
want_shell=0

note() { echo "$*"; }
# end [REASON]: the last marker line, then power off.  Never returns.
end() {
    sync
    [ -n "$1" ] && problems=${problems:+$problems; }$1
    if [ -z "$problems" ]; then
        read -r up _ </proc/uptime
        note "CAIRN-GUEST-DONE uptime=$up"
    else
        note "CAIRN-GUEST-FAILED $problems"
    fi
    [ "$want_shell" = 1 ] && setsid cttyhack sh
    poweroff -f
    while :; do sleep 60; done
}

# --- the command line --------------------------------------------------------
checks='' writes='' loop='' loop_ms=100 loop_count=0 wait_button=0 result=''
agent='' agent_mute=0 agent_loop=0 agent_log=''
set -f
read -r cmdline </proc/cmdline
for word in $cmdline; do
    value=${word#*=}
    case $word in
    cairn.check=*) checks=$checks,$value ;;
    cairn.write=*) writes=$writes,$value ;;
    cairn.result=*) result=$value ;;
    cairn.loop=*) loop=$value ;;
    cairn.loop.ms=*) loop_ms=$value ;;
    cairn.loop.count=*) loop_count=$value ;;
    cairn.wait=*) wait_button=$value ;;
    cairn.agent=*) agent=$value ;;
    cairn.agent.mute=*) agent_mute=$value ;;
    cairn.agent.loop=*) agent_loop=$value ;;
    cairn.agent.log=*) agent_log=$value ;;
    cairn.shell=*) want_shell=$value ;;
    cairn.debug=1) set -x ;;
    esac
done
set +f

# --- helpers -------------------------------------------------------------------

# number TEXT: decimal or 0x-hex, optional K/M/G/T (powers of 1024) -> decimal
number() {
    local t=$1 scale=1
    case $t in
    *[kK]) scale=1024 ;;
    *[mM]) scale=1048576 ;;
    *[gG]) scale=1073741824 ;;
    *[tT]) scale=1099511627776 ;;
    esac
    [ "$scale" = 1 ] || t=${t%?}
    case $t in
    0[xX]*) case ${t#??} in '' | *[!0-9a-fA-F]*) return 1 ;; esac ;;
    '' | *[!0-9]*) return 1 ;;
    *) while [ "${t#0}" != "$t" ] && [ -n "${t#0}" ]; do t=${t#0}; done ;;
    esac
    echo $((t * scale))
}

# octal BYTE: hex byte (ab, 0xab, 7) -> three octal digits for tr
octal() {
    local b=$1
    case $b in 0[xX]?*) b=${b#??} ;; esac
    case $b in [0-9a-fA-F] | [0-9a-fA-F][0-9a-fA-F]) ;; *) return 1 ;; esac
    printf '%03o' $((0x$b))
}

# disk NAME: the /dev node of vdX or of the virtio disk with serial NAME.
# Waits up to 2 s for it to show up.
disk() {
    local tries=0 d
    while [ $tries -lt 40 ]; do
        case $1 in
        vd[a-z] | vd[a-z][a-z])
            [ -b "/dev/$1" ] && { echo "/dev/$1"; return 0; } ;;
        *)
            for d in /sys/block/vd*; do
                [ "$(cat "$d/serial" 2>/dev/null)" = "$1" ] &&
                    { echo "/dev/${d##*/}"; return 0; }
            done ;;
        esac
        usleep 50000
        tries=$((tries + 1))
    done
    return 1
}

# size DEV: bytes
size() { echo $(($(cat "/sys/block/${1##*/}/size") * 512)); }

# parse SPEC: sets dev, off, len, oct, or returns 1 with $why set.
parse() {
    local s=$1 name rest
    case $s in
    *:*:*:*) name=${s%%:*}; rest=${s#*:} ;;
    *:*:*) name=vda; rest=$s ;;
    *) why="bad spec '$s' (want [DISK:]OFFSET:LENGTH:BYTE)"; return 1 ;;
    esac
    off=$(number "${rest%%:*}") && rest=${rest#*:} &&
        len=$(number "${rest%%:*}") && oct=$(octal "${rest#*:}") ||
        { why="bad spec '$s' (want [DISK:]OFFSET:LENGTH:BYTE)"; return 1; }
    dev=$(disk "$name") || { why="no disk '$name' for '$s'"; return 1; }
    [ $((off + len)) -le "$(size "$dev")" ] ||
        { why="'$s' ends beyond the end of $dev"; return 1; }
}

# fill LEN OCT: LEN bytes of one value on stdout
fill() { head -c "$1" /dev/zero | tr '\000' "\\$2"; }

# button: load the power-button drivers and start a watcher that creates
# /tmp/button when the ACPI power button is pressed.
button() {
    [ -e /tmp/button.armed ] && return 0
    local m e ev=
    for m in $(cat /lib/modules/button.list); do
        insmod "/lib/modules/$m.ko" || end "insmod $m failed"
    done
    for e in /sys/class/input/event*; do
        case $(cat "$e/device/name" 2>/dev/null) in
        *"Power Button"*) ev=/dev/input/${e##*/} ;;
        esac
    done
    [ -n "$ev" ] || end "no ACPI power button (is ACPI on?)"
    [ -c "$ev" ] || end "no device node $ev for the power button"
    # Any event from that device is a press: evdev hands out whole
    # 24-byte input_event records.
    (dd if="$ev" bs=24 count=1 status=none >/dev/null && : >/tmp/button) &
    : >/tmp/button.armed
}

# --- drivers --------------------------------------------------------------------
for m in $(cat /lib/modules/always.list); do
    insmod "/lib/modules/$m.ko" || end "insmod $m failed"
done
list=
for d in /sys/block/vd*; do
    [ -e "$d" ] && list=${list:+$list,}${d##*/}:$(size "$d")
done
note "CAIRN-GUEST-READY kernel=$(uname -r) disks=${list:-none}"

# each LIST FUNC: FUNC on every item of a comma-separated LIST (no word
# splitting, so nothing in a spec can glob)
each() {
    local rest=$1, item
    while [ -n "$rest" ]; do
        item=${rest%%,*}
        rest=${rest#*,}
        [ -z "$item" ] || "$2" "$item"
    done
}

# --- 1. checks --------------------------------------------------------------------
check_one() {
    parse "$1" || end "$why"
    # Read what the disk holds, not the page cache, and count the bytes
    # that differ from the pattern.
    blockdev --flushbufs "$dev"
    other=$(dd if="$dev" bs=64K iflag=skip_bytes,count_bytes skip="$off" count="$len" status=none |
        tr -d "\\$oct" | wc -c) || end "read error on $dev for '$1'"
    if [ $((other)) = 0 ]; then
        note "CAIRN-CHECK-OK $1"
    else
        note "CAIRN-CHECK-FAIL $1 ($other bytes differ)"
        problems=${problems:+$problems; }"check failed: $1"
    fi
}
each "$checks" check_one
# The checks' outcome in the first 512 bytes of disk $result, for hosts
# that cannot see the console: "CAIRN-CHECKS-OK" or "CAIRN-CHECKS-FAIL ...".
if [ -n "$result" ]; then
    rdev=$(disk "$result") || end "no disk '$result' for cairn.result"
    if [ -z "$problems" ]; then line="CAIRN-CHECKS-OK"; else line="CAIRN-CHECKS-FAIL $problems"; fi
    printf '%-511.511s\n' "$line" | dd of="$rdev" bs=512 count=1 conv=notrunc,fsync status=none ||
        end "write error on $rdev for cairn.result"
    note "CAIRN-RESULT-WRITTEN $result"
fi

# --- 2. writes ------------------------------------------------------------------
write_one() {
    parse "$1" || end "$why"
    # Through the page cache, so any offset and length work; conv=fsync
    # makes the data and a flush reach the virtual disk before the marker.
    if [ "$len" -gt 0 ]; then
        fill "$len" "$oct" |
            dd of="$dev" bs=64K seek="$off" oflag=seek_bytes conv=notrunc,fsync status=none ||
            end "write error on $dev for '$1'"
    fi
    note "CAIRN-WRITE-OK $1"
}
each "$writes" write_one

# --- 2b. the guest agent ------------------------------------------------------------
# agent_port: the /dev node of the guest agent's virtio-serial port (waits
# up to 2 s for it).
agent_port() {
    local tries=0 p
    while [ $tries -lt 40 ]; do
        for p in /sys/class/virtio-ports/*; do
            [ "$(cat "$p/name" 2>/dev/null)" = org.qemu.guest_agent.0 ] &&
                [ -c "/dev/${p##*/}" ] && { echo "/dev/${p##*/}"; return 0; }
        done
        usleep 50000
        tries=$((tries + 1))
    done
    return 1
}

# agent_line WHAT: a log line with the uptime (console and /tmp/agent.log)
agent_line() {
    local up
    read -r up _ </proc/uptime
    echo "CAIRN-AGENT-$1 up=$up" >>/tmp/agent.log
    note "CAIRN-AGENT-$1 up=$up"
}

if [ -n "$agent" ]; then
    for m in $(cat /lib/modules/agent.list); do
        insmod "/lib/modules/$m.ko" || end "insmod $m failed"
    done
    adev=$(disk "$agent") || end "no disk '$agent' for cairn.agent"
    mkdir -p /mnt && mount -t ext4 "$adev" /mnt || end "cannot mount $adev (ext4) on /mnt"
    port=$(agent_port) || end "no org.qemu.guest_agent.0 port (no <channel>?)"
    # qemu-ga runs the hook with 'freeze' before it freezes and 'thaw' after
    # it thawed: each line carries the uptime and the loop's last finished
    # write. It must not fail (qemu-ga would fail the freeze): a guest
    # without a serial port has a console that cannot be written.
    {
        echo '#!/bin/sh'
        echo 'read -r up _ </proc/uptime'
        echo 'done=$(cat /tmp/loop.done 2>/dev/null || echo 0)'
        echo 'case $1 in freeze) what=FREEZE ;; thaw) what=THAW ;; *) what=$1 ;; esac'
        echo 'echo "CAIRN-AGENT-$what up=$up done=$done" >>/tmp/agent.log'
        echo 'echo "CAIRN-AGENT-$what up=$up done=$done" >/dev/console 2>/dev/null'
        echo 'exit 0'
    } >/tmp/fsfreeze-hook
    chmod 0755 /tmp/fsfreeze-hook
    : >/tmp/agent.log
    if [ "$agent_mute" -gt 0 ]; then
        # The port open, nothing read: requests wait, unanswered.
        agent_line "MUTE ms=$agent_mute"
        exec 3<"$port"
        usleep $((agent_mute * 1000))
        exec 3<&-
    fi
    mkdir -p /tmp/qga
    qemu-ga -m virtio-serial -p "$port" --fsfreeze-hook=/tmp/fsfreeze-hook \
        -f /tmp/qga.pid -t /tmp/qga -l /tmp/qga.log &
    agent_line "START port=$port"
    if [ "$agent_loop" -gt 0 ]; then
        # W SEQ ISSUED DONE: a write through the file system, which stalls
        # while it is frozen
        (
            seq=0
            while [ ! -e /tmp/button ]; do
                seq=$((seq + 1))
                read -r t0 _ </proc/uptime
                # notrunc: a truncate the freeze lands after would leave a
                # frozen, empty /seq (the text only grows, nothing is left)
                printf 'seq=%d\n' "$seq" | dd of=/mnt/seq conv=notrunc,fsync status=none
                read -r t1 _ </proc/uptime
                echo "W $seq $t0 $t1" >>/tmp/loop.log
                echo "$seq" >/tmp/loop.done
                usleep $((agent_loop * 1000))
            done
        ) &
        agent_loop_pid=$!
    fi
fi

# --- 3. the loop ----------------------------------------------------------------------
if [ -n "$loop" ] && [ "$loop" != 0 ]; then
    [ "$loop" = 1 ] && loop=vda:0:16:64K
    ring=$loop
    case $ring in *:*:*:*) ;; *) end "bad cairn.loop '$loop' (want 1 or DISK:OFFSET:SLOTS:STRIDE)" ;; esac
    name=${ring%%:*}; ring=${ring#*:}
    base=$(number "${ring%%:*}") && ring=${ring#*:} &&
        slots=$(number "${ring%%:*}") && stride=$(number "${ring#*:}") &&
        ms=$(number "$loop_ms") && count=$(number "$loop_count") ||
        end "bad cairn.loop '$loop' or cairn.loop.ms / cairn.loop.count"
    [ $((base % 4096)) = 0 ] && [ $((stride % 4096)) = 0 ] && [ "$stride" -gt 0 ] && [ "$slots" -gt 0 ] ||
        end "cairn.loop '$loop': OFFSET and STRIDE must be multiples of 4096, SLOTS and STRIDE > 0"
    dev=$(disk "$name") || end "no disk '$name' for cairn.loop"
    [ $((base + (slots - 1) * stride + 4096)) -le "$(size "$dev")" ] ||
        end "cairn.loop '$loop' ends beyond the end of $dev"
    button
    note "CAIRN-LOOP-START dev=${dev#/dev/} offset=$base slots=$slots stride=$stride ms=$ms count=$count"
    seq=0
    while [ ! -e /tmp/button ]; do
        seq=$((seq + 1))
        slot=$(((seq - 1) % slots))
        # 38 bytes of text, zeros up to 4096; O_DIRECT and fsync, so the block
        # is on the virtual disk before the WROTE line.
        {
            printf 'CAIRN-LOOP seq=%010d slot=%06d\n' "$seq" "$slot"
            head -c 4058 /dev/zero
        } | dd of="$dev" bs=4096 count=1 iflag=fullblock seek=$(((base + slot * stride) / 4096)) \
            oflag=direct conv=notrunc,fsync status=none ||
            end "cairn.loop: write error at seq=$seq"
        note "CAIRN-LOOP-WROTE seq=$seq slot=$slot"
        [ "$count" -gt 0 ] && [ "$seq" -ge "$count" ] && break
        [ "$ms" -gt 0 ] && usleep $((ms * 1000))
    done
    note "CAIRN-LOOP-END seq=$seq"
fi

# --- 4. wait for the power button ---------------------------------------------------
if [ "$wait_button" = 1 ]; then
    button
    note "CAIRN-GUEST-WAITING"
    while [ ! -e /tmp/button ]; do usleep 50000; done
fi

# --- 5. the agent's log to its disk --------------------------------------------------
if [ -n "$agent_log" ]; then
    [ -n "${agent_loop_pid:-}" ] && wait "$agent_loop_pid"
    ldev=$(disk "$agent_log") || end "no disk '$agent_log' for cairn.agent.log"
    cat /tmp/agent.log /tmp/loop.log 2>/dev/null | dd of="$ldev" conv=fsync status=none ||
        end "cannot write the agent log to $ldev"
    note "CAIRN-AGENT-LOG-WRITTEN dev=${ldev#/dev/}"
fi

end ""
