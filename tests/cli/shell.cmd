# The shell: help, echo, quoting and ';', quiet mode, connections, parse
# errors, exit status, commands from stdin.
$ cairn help
$ cairn help checkpoint-create-as
$ cairn 'help checkpoint-list; help echo'
$ cairn help checkpoint
$ cairn checkpoint-delete --help
$ cairn help nosuch
#
# echo and the tokenizer: quotes, escapes, comments, ';' and newlines.
$ cairn 'echo a "b c" '\''d e'\'' f\ g; echo --shell "it'\''s" plain "" "a b"; echo --xml "<a href=\"x\">&</a>"'
$ cairn 'echo --split "a,b,,c"; echo --err to stderr; echo -- --not-an-option; echo after # a comment; echo never'
$ cairn echo one two three
$ cairn 'echo "missing'
$ cairn 'echo dangling\'
$ cairn 'echo --shell --xml x'
$ cairn ';;; echo only ;;'
#
# Several commands: one empty line after each command's output; the exit
# status is that of the last command. -q drops the informational
# messages, the extra lines and table headers.
$ cairn 'checkpoint-parent test nosuch; echo last'
$ cairn 'echo first; checkpoint-parent test nosuch'
$ cairn -q 'checkpoint-create-as test c1; checkpoint-create-as test c2; checkpoint-list test; checkpoint-parent test c2; echo'
$ cairn nosuch-command; echo "exit status $?"
$ cairn 'echo before; nosuch-command'
#
# Connections: -c, $CAIRN_DEFAULT_URI, connect, uri, version.
$ cairn uri
$ cairn -c test:///default 'uri; version'
$ CAIRN_DEFAULT_URI=test:///default cairn 'uri'
$ cairn -c nosuch:///x uri
$ cairn 'connect nosuch:///x; uri'
$ cairn 'help; connect --name test:///default; uri' | tail -3
$ cairn -v
$ cairn --nosuch
$ cairn -c
#
# Commands from stdin: no prompt when it is no terminal; quit and exit
# stop reading.
$ printf 'echo one\n\necho two; quit\necho three\n' | cairn
$ printf 'echo one\nexit\necho two\n' | cairn
$ printf 'checkpoint-create-as test c1\ncheckpoint-list test --name\n' | cairn -c test:///default
