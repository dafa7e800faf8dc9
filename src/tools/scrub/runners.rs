//! Commands that run the command written after them: `sudo -u root -E chpasswd`, `doas
//! passwd bob`, `chroot /mnt chpasswd`, `env LANG=C chpasswd`, `busybox chpasswd`, `timeout 10
//! chpasswd`, `nice -n 10 chpasswd`, `runuser -u root -- chpasswd`, and those that run it
//! elsewhere with the same standard input: `kubectl exec -i pod -- chpasswd`, `docker exec -i
//! box chpasswd`, `ssh host sudo chpasswd` (the remote command quoted or not), `sh -c
//! 'chpasswd'`. What such a line feeds a password to is the command past them, their
//! switches, their switches' values and their operands; the rules that know which commands
//! read a password from standard input ([`super::commands`]) ask here which command that is.

use std::iter::Peekable;

/// A command that runs another, and how it reads its own arguments.
struct Runner {
    /// Its names (one program under several names: `docker`, `podman`).
    names: &'static [&'static [u8]],
    /// The subcommand that runs the command (`kubectl exec`); empty when the runner runs it
    /// itself. With another subcommand the runner is the command run (`kubectl apply`).
    subcommand: &'static [u8],
    /// Its one-letter switches that take a value: attached (`-uroot`) or the next word.
    valued: &'static [u8],
    /// Its long switches that take the next word as their value when written without `=`.
    valued_long: &'static [&'static str],
    /// How many operands it takes before the command it runs (`chroot`'s new root,
    /// `timeout`'s duration, the pod, container or host a command is run in).
    operands: usize,
}

/// Runners that run the command themselves, take no operand and no switch with a value.
const fn plain(names: &'static [&'static [u8]]) -> Runner {
    Runner {
        names,
        subcommand: b"",
        valued: b"",
        valued_long: &[],
        operands: 0,
    }
}

const RUNNERS: [Runner; 18] = [
    Runner {
        names: &[b"sudo"],
        subcommand: b"",
        valued: b"CDcghpRrTtUu",
        valued_long: &[
            "--chdir",
            "--chroot",
            "--close-from",
            "--command-timeout",
            "--group",
            "--host",
            "--login-class",
            "--other-user",
            "--prompt",
            "--role",
            "--type",
            "--user",
        ],
        operands: 0,
    },
    Runner {
        names: &[b"doas"],
        valued: b"aCu",
        ..plain(&[])
    },
    Runner {
        names: &[b"chroot"],
        valued_long: &["--groups", "--userspec"],
        operands: 1,
        ..plain(&[])
    },
    Runner {
        names: &[b"env"],
        valued: b"CSu",
        valued_long: &["--chdir", "--split-string", "--unset"],
        ..plain(&[])
    },
    plain(&[b"busybox", b"nohup", b"setsid", b"command", b"builtin"]),
    Runner {
        names: &[b"exec"],
        valued: b"a",
        ..plain(&[])
    },
    Runner {
        names: &[b"timeout"],
        valued: b"ks",
        valued_long: &["--kill-after", "--signal"],
        operands: 1,
        ..plain(&[])
    },
    Runner {
        names: &[b"nice"],
        valued: b"n",
        valued_long: &["--adjustment"],
        ..plain(&[])
    },
    Runner {
        names: &[b"ionice"],
        valued: b"cnPpu",
        valued_long: &["--class", "--classdata", "--pgid", "--pid", "--uid"],
        ..plain(&[])
    },
    Runner {
        names: &[b"stdbuf"],
        valued: b"eio",
        valued_long: &["--error", "--input", "--output"],
        ..plain(&[])
    },
    Runner {
        names: &[b"runuser"],
        valued: b"gGsuw",
        valued_long: &[
            "--group",
            "--shell",
            "--supp-group",
            "--user",
            "--whitelist-environment",
        ],
        ..plain(&[])
    },
    Runner {
        names: &[b"xargs"],
        valued: b"adEILnPs",
        valued_long: &[
            "--arg-file",
            "--delimiter",
            "--max-args",
            "--max-chars",
            "--max-procs",
            "--process-slot-var",
        ],
        ..plain(&[])
    },
    Runner {
        names: &[b"time"],
        valued: b"fo",
        valued_long: &["--format", "--output"],
        ..plain(&[])
    },
    Runner {
        names: &[b"sshpass"],
        valued: b"dfPp",
        ..plain(&[])
    },
    // A shell's `-c` takes no value: its first operand is the command (`sh -c 'chpasswd'`).
    Runner {
        names: &[b"sh", b"bash", b"dash", b"ash", b"ksh", b"zsh"],
        valued: b"Oo",
        ..plain(&[])
    },
    // Global switches and exec's alike, before the pod and after it (up to `--`).
    Runner {
        names: &[b"kubectl", b"oc"],
        subcommand: b"exec",
        valued: b"cfns",
        valued_long: &[
            "--as",
            "--as-group",
            "--cluster",
            "--container",
            "--context",
            "--filename",
            "--kubeconfig",
            "--namespace",
            "--pod-running-timeout",
            "--request-timeout",
            "--server",
            "--token",
            "--user",
        ],
        operands: 1,
    },
    Runner {
        names: &[b"docker", b"podman", b"nerdctl"],
        subcommand: b"exec",
        valued: b"ceHluw",
        valued_long: &[
            "--config",
            "--context",
            "--detach-keys",
            "--env",
            "--env-file",
            "--host",
            "--log-level",
            "--namespace",
            "--preserve-fds",
            "--user",
            "--workdir",
        ],
        operands: 1,
    },
    // The remote command may be one quoted word (`ssh host "sudo -S reboot"`): its words are
    // read as the command's ([`command_name`] strips the quotes).
    Runner {
        names: &[b"ssh"],
        valued: b"BbcDEeFIiJLlmOoPpQRSWw",
        operands: 1,
        ..plain(&[])
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
        let Some(runner) = RUNNERS.iter().find(|r| r.names.contains(&name)) else {
            return Some(Run {
                name,
                sudo_reads_stdin,
            });
        };
        // Switches may come before, between and after its subcommand and operands (getopt
        // permutes them; `kubectl exec pod -c app -- chpasswd`), up to a `--`.
        let mut switches = Switches {
            runner,
            sudo: name == b"sudo",
            ended: false,
        };
        switches.skip(&mut words, &mut sudo_reads_stdin)?;
        if !runner.subcommand.is_empty() {
            if words.next_if(|w| *w == runner.subcommand).is_none() {
                return Some(Run {
                    name,
                    sudo_reads_stdin,
                });
            }
            switches.skip(&mut words, &mut sudo_reads_stdin)?;
        }
        for _ in 0..runner.operands {
            words.next()?;
            switches.skip(&mut words, &mut sudo_reads_stdin)?;
        }
    }
}

/// How a runner's switches are read on a line.
struct Switches<'r> {
    runner: &'r Runner,
    /// Whether the runner is sudo, whose `-S` (`--stdin`) reads its own password.
    sudo: bool,
    /// Whether a `--` ended them: what follows is no switch.
    ended: bool,
}

impl Switches<'_> {
    /// Reads the runner's switches (and their values) from `words` up to the first other
    /// word, noting a `sudo -S` in `sudo_reads_stdin`. None when the line ends in a switch's
    /// missing value.
    fn skip<'a>(
        &mut self,
        words: &mut Peekable<impl Iterator<Item = &'a [u8]>>,
        sudo_reads_stdin: &mut bool,
    ) -> Option<()> {
        while !self.ended {
            let Some(switch) = words.next_if(|w| w.starts_with(b"-") && w.len() > 1) else {
                break;
            };
            if switch == b"--" {
                self.ended = true;
                break;
            }
            *sudo_reads_stdin |= self.sudo && reads_stdin(self.runner, switch);
            if takes_next_word(self.runner, switch) {
                words.next()?;
            }
        }
        Some(())
    }
}

/// The name of the command `word` runs: the last part of its path, without the quote or
/// bracket that closes a script around it (`sh -c 'echo root:PW | chpasswd'`, `$(… | passwd)`,
/// a JSON list's `"…| chpasswd"]`), nor the quote, bracket or backslash that opens it
/// (`"chpasswd"`, `ssh host 'sudo chpasswd'`, `\chpasswd` that skips an alias).
fn command_name(word: &[u8]) -> &[u8] {
    let path = word.rsplit(|b| *b == b'/').next().unwrap_or(word);
    let closing = path
        .iter()
        .rev()
        .take_while(|b| matches!(b, b'\'' | b'"' | b'`' | b')' | b']' | b'}' | b';' | b'\\'))
        .count();
    let name = &path[..path.len() - closing];
    let opening = name
        .iter()
        .take_while(|b| matches!(b, b'\'' | b'"' | b'`' | b'(' | b'\\'))
        .count();
    &name[opening..]
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

    #[test]
    fn the_command_past_wrappers_and_remote_runners_is_read() {
        for (line, command) in [
            ("timeout 10 chpasswd", "chpasswd"),
            ("timeout -s KILL -k 5 10s chpasswd", "chpasswd"),
            ("timeout --signal TERM 1m chpasswd", "chpasswd"),
            ("nohup chpasswd", "chpasswd"),
            ("nice -n 10 chpasswd", "chpasswd"),
            ("nice -10 chpasswd", "chpasswd"),
            ("ionice -c 3 chpasswd", "chpasswd"),
            ("stdbuf -o0 -e L chpasswd", "chpasswd"),
            ("setsid -w chpasswd", "chpasswd"),
            ("command chpasswd", "chpasswd"),
            ("exec -a x chpasswd", "chpasswd"),
            ("runuser -u root -- chpasswd", "chpasswd"),
            ("xargs -n 1 passwd", "passwd"),
            ("time -f %e chpasswd", "chpasswd"),
            ("sudo -c staff chpasswd", "chpasswd"),
            ("sudo --login-class staff chpasswd", "chpasswd"),
            ("doas -a bsdauth chpasswd", "chpasswd"),
            ("nohup nice -n 5 timeout 10 sudo chpasswd", "chpasswd"),
            ("kubectl exec -i pod-0 -- chpasswd", "chpasswd"),
            (
                "kubectl -n prod exec -it pod-0 -c app -- chpasswd",
                "chpasswd",
            ),
            (
                "kubectl --context prod exec deploy/app -- sudo chpasswd",
                "chpasswd",
            ),
            ("oc exec -i pod chpasswd", "chpasswd"),
            ("docker exec -i box chpasswd", "chpasswd"),
            ("docker exec -i -u root -e A=b box chpasswd", "chpasswd"),
            ("podman exec -i box /usr/sbin/chpasswd", "chpasswd"),
            ("docker -H tcp://h exec -i box chpasswd", "chpasswd"),
            ("ssh host sudo chpasswd", "chpasswd"),
            ("ssh -p 2222 -i key -o A=b root@host chpasswd", "chpasswd"),
            ("ssh host \"sudo chpasswd\"", "chpasswd"),
            ("ssh host 'passwd bob'", "passwd"),
            ("sh -c 'chpasswd'", "chpasswd"),
            ("bash -o pipefail -lc \"chpasswd\"", "chpasswd"),
            ("\"chpasswd\"", "chpasswd"),
            ("\\chpasswd", "chpasswd"),
            ("'/usr/sbin/chpasswd'", "chpasswd"),
            ("(chpasswd)", "chpasswd"),
            // Another subcommand: the runner is the command.
            ("kubectl apply -f x.yaml", "kubectl"),
            ("docker run -i box chpasswd", "docker"),
            ("docker", "docker"),
            ("command -v chpasswd", "chpasswd"),
        ] {
            assert_eq!(run(line).map(|r| r.0), Some(command.into()), "{line}");
        }
        for line in ["timeout 10", "ssh host", "kubectl exec pod --", "nice -n"] {
            assert_eq!(run(line), None, "{line}");
        }
        assert_eq!(
            run("ssh host \"sudo -S reboot\""),
            Some(("reboot".into(), true))
        );
        assert_eq!(
            run("kubectl exec -i pod -- sudo -S id"),
            Some(("id".into(), true))
        );
        // Another runner's `-S` is not sudo's.
        assert_eq!(run("ssh -S sock host id"), Some(("id".into(), false)));
    }
}
