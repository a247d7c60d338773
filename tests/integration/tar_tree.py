"""Prints a container export's tree (stdin, a tar stream) one entry per line, sorted: path,
type, permission bits, owner, size and link target, without times and without what a runtime
adds to every container (/.dockerenv, /etc/hosts, /proc, ...), for comparing two builders."""
import sys
import tarfile

RUNTIME = {'.dockerenv', 'etc/hostname', 'etc/hosts', 'etc/resolv.conf', 'etc/mtab', 'dev',
           'proc', 'sys'}
rows = []
for m in tarfile.open(fileobj=sys.stdin.buffer, mode='r|'):
    name = m.name.removeprefix('./').strip('/')
    if not name or name in RUNTIME or name.startswith(('dev/', 'proc/', 'sys/')):
        continue
    kind = 'd' if m.isdir() else 'l' if m.issym() else 'h' if m.islnk() else \
        'f' if m.isreg() else 'o'
    rows.append(f"{name} {kind} {m.mode & 0o7777:o} {m.uid}:{m.gid} "
                f"{m.size if m.isreg() else 0} {m.linkname if m.issym() or m.islnk() else ''}")
print('\n'.join(sorted(rows)))
