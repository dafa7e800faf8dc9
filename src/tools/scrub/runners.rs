//! Commands that run the command written after them: `sudo -u root -E chpasswd`, `doas
//! passwd bob`, `chroot /mnt chpasswd`, `env LANG=C chpasswd`, `busybox chpasswd`. What such a
//! line feeds a password to is the command past them, their switches, their switches' values
//! and their operands; the rules that know which commands read a password from standard input
//! ([`super::commands`]) ask here which command that is.

/// A command that runs another, and how it reads its own arguments.
struct Runner {
    name: &'static [u8],
    /// Its one-letter switches that take a value: attached (`-uroot`) or the next word.
    valued: &'static [u8],
    /// Its long switches that take the next word as their value when written without `=`.
    valued_long: &'static [&'static str],
    /// How many operands it takes before the command it runs (`chroot`'s new root).
    operands: usize,
}

const RUNNERS: [Runner; 5] = [
    Runner {
        name: b"sudo",
        valued: b"CDghpRrTtUu",
        valued_long: &[
            "--chdir",
            "--chroot",
            "--close-from",
            "--command-timeout",
            "--group",
            "--host",
            "--other-user",
            "--prompt",
            "--role",
            "--type",
            "--user",
        ],
        operands: 0,
    },
    Runner {
        name: b"doas",
        valued: b"Cu",
        valued_long: &[],
        operands: 0,
    },
    Runner {
        name: b"chroot",
        valued: b"",
        valued_long: &["--groups", "--userspec"],
        operands: 1,
    },
    Runner {
        name: b"env",
        valued: b"CSu",
        valued_long: &["--chdir", "--split-string", "--unset"],
        operands: 0,
    },
    Runner {
        name: b"busybox",
        valued: b"",
        valued_long: &[],
        operands: 0,
    },
];

/// The command a line runs, past the runners before it.
pub struct Run<'a> {
    /// Its name: the last part of its path.
    pub name: &'a [u8],
    /// Whether a `sudo -S` (`--stdin`) before it reads its own password from standard input.
    pub sudo_reads_stdin: bool,
}

/// The command `line` (a command line, from its first word) runs: its first word, or past the
/// runners ([`RUNNERS`]) and the shell's `NAME=value` assignments before it. None when the
/// line ends before a command.
pub fn command_run(line: &[u8]) -> Option<Run<'_>> {
    let mut words = line
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .peekable();
    let mut sudo_reads_stdin = false;
    loop {
        let word = words.next()?;
        if is_assignment(word) {
            continue;
        }
        let name = command_name(word);
        let Some(runner) = RUNNERS.iter().find(|r| r.name == name) else {
            return Some(Run {
                name,
                sudo_reads_stdin,
            });
        };
        while let Some(switch) = words.next_if(|w| w.starts_with(b"-") && w.len() > 1) {
            if switch == b"--" {
                break;
            }
            sudo_reads_stdin |= runner.name == b"sudo" && reads_stdin(runner, switch);
            if takes_next_word(runner, switch) {
                words.next()?;
            }
        }
        for _ in 0..runner.operands {
            words.next()?;
        }
    }
}

/// The name of the command `word` runs: the last part of its path, without the quote or
/// bracket that closes a script around it (`sh -c 'echo root:PW | chpasswd'`, `$(… | passwd)`,
/// a JSON list's `"…| chpasswd"]`).
fn command_name(word: &[u8]) -> &[u8] {
    let path = word.rsplit(|b| *b == b'/').next().unwrap_or(word);
    let closing = path
        .iter()
        .rev()
        .take_while(|b| matches!(b, b'\'' | b'"' | b'`' | b')' | b']' | b'}' | b';' | b'\\'))
        .count();
    &path[..path.len() - closing]
}

/// Whether `word` is a shell assignment (`LANG=C`) written before a command.
fn is_assignment(word: &[u8]) -> bool {
    let name_len = word
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    name_len > 0 && !word[0].is_ascii_digit() && word.get(name_len) == Some(&b'=')
}

/// Whether `switch` (a word starting with `-`) of `runner` takes the next word as its value: a
/// long one named in its list without `=`, or a cluster of one-letter switches whose first
/// valued letter closes it (`-Eu root`; `-uroot` has its value attached).
fn takes_next_word(runner: &Runner, switch: &[u8]) -> bool {
    if let Some(long) = switch.strip_prefix(b"--") {
        return !long.contains(&b'=')
            && runner
                .valued_long
                .iter()
                .any(|name| name.as_bytes() == switch);
    }
    let cluster = &switch[1..];
    cluster
        .iter()
        .position(|b| runner.valued.contains(b))
        .is_some_and(|at| at + 1 == cluster.len())
}

/// Whether sudo's `switch` is `-S` (`--stdin`), alone or in a cluster before a valued letter
/// (whose value the rest of the cluster is).
fn reads_stdin(sudo: &Runner, switch: &[u8]) -> bool {
    if switch.starts_with(b"--") {
        return switch == b"--stdin";
    }
    switch[1..]
        .iter()
        .take_while(|b| !sudo.valued.contains(b))
        .any(|b| *b == b'S')
}

#[cfg(test)]
mod tests {
    use super::command_run;

    fn run(line: &str) -> Option<(String, bool)> {
        command_run(line.as_bytes()).map(|r| {
            (
                String::from_utf8_lossy(r.name).into_owned(),
                r.sudo_reads_stdin,
            )
        })
    }

    #[test]
    fn the_command_past_runners_their_switches_and_operands_is_read() {
        for (line, command) in [
            ("chpasswd", "chpasswd"),
            (" /usr/sbin/chpasswd -e", "chpasswd"),
            ("sudo chpasswd", "chpasswd"),
            ("sudo -E chpasswd", "chpasswd"),
            ("sudo -u root -E chpasswd", "chpasswd"),
            ("sudo\t-Eu\troot\tchpasswd", "chpasswd"),
            ("sudo -uroot passwd bob", "passwd"),
            ("sudo --user root -- passwd", "passwd"),
            ("sudo --user=root passwd", "passwd"),
            ("doas -u root chpasswd", "chpasswd"),
            ("chroot /mnt chpasswd", "chpasswd"),
            ("chroot --userspec root:root /mnt chpasswd", "chpasswd"),
            ("sudo chroot /mnt /usr/sbin/chpasswd", "chpasswd"),
            ("env -i LANG=C chpasswd", "chpasswd"),
            ("LC_ALL=C sudo -E chpasswd", "chpasswd"),
            ("busybox chpasswd", "chpasswd"),
            ("sudo tee /etc/x", "tee"),
            ("chpasswd'", "chpasswd"),
            ("sudo passwd bob)\"", "passwd"),
        ] {
            assert_eq!(run(line).map(|r| r.0), Some(command.into()), "{line}");
        }
        for line in ["", "sudo", "sudo -u", "chroot /mnt", "env A=b", "doas --"] {
            assert_eq!(run(line), None, "{line}");
        }
        assert_eq!(
            run("sudo -S apt-get update"),
            Some(("apt-get".into(), true))
        );
        assert_eq!(run("sudo -kSu root id"), Some(("id".into(), true)));
        assert_eq!(run("sudo --stdin id"), Some(("id".into(), true)));
        assert_eq!(run("sudo -u S id"), Some(("id".into(), false)));
    }
}
