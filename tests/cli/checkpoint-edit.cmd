# checkpoint-edit: the secure XML goes to a temporary file, $VISUAL (else
# $EDITOR, else vi) edits it, and the result is redefined. The transcript
# runner sets EDITOR=false; stdin is no terminal, so a failed redefinition
# is not offered for another edit.
#
# Unchanged XML.
$ EDITOR=true cairn 'checkpoint-create-as test c1 old; checkpoint-edit test c1'
# An editor with arguments runs through sh -c; the change is redefined.
$ EDITOR="sed -i 's/>old</>new</'" cairn 'checkpoint-create-as test c1 old; checkpoint-create-as test c2; checkpoint-edit test c1; checkpoint-dumpxml test c1 --no-domain; checkpoint-list test --tree'
# An editor without arguments runs directly; $VISUAL wins over $EDITOR.
$ printf '#!/bin/sh\nsed -i "s/>old</>from script</" "$1"\n' > edit.sh; chmod +x edit.sh
$ VISUAL=$PWD/edit.sh EDITOR=false cairn 'checkpoint-create-as test c1 old; checkpoint-edit test c1; checkpoint-dumpxml test c1 --no-domain'
# Renaming is refused and the new name's metadata removed again.
$ EDITOR="sed -i 's/<name>c1</<name>c9</'" cairn 'checkpoint-create-as test c1; checkpoint-edit test c1; checkpoint-list test --name'
# Invalid XML fails the redefinition.
$ EDITOR="sed -i 's/<disks>/<disks><bogus\/>/'" cairn 'checkpoint-create-as test c1; checkpoint-edit test c1; checkpoint-list test --name'
# The editor failing (the temporary file name is masked).
$ cairn 'checkpoint-create-as test c1; checkpoint-edit test c1' 2>&1 | sed 's|/[^ )]*/cairn[A-Za-z0-9]*\.xml|TMPFILE|'
# The temporary files are gone afterwards.
$ ls cairn*.xml 2>/dev/null | wc -l
# A missing checkpoint name, and a read-only connection.
$ cairn checkpoint-edit test
$ cairn -r checkpoint-edit test c1
