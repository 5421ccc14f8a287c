# SPDX-License-Identifier: Apache-2.0
"""gslbctl finds gslbd through gslbd's main file (-c FILE), as knotc reads knot.conf:

- `-c FILE` takes the endpoint from control.listen and the token from control.token_file
  (relative to FILE's directory): status and an admin action work with nothing else given;
- the order of precedence: option, then environment (GSLBCTL_CONTROL, GSLBCTL_TOKEN_FILE), then
  the file, then the default; an explicit --control or GSLBCTL_CONTROL keeps the installed
  default file (GSLBCTL_CONFIG here) from being read at all, so its token is not sent;
- with no -c, the installed file (GSLBCTL_CONFIG standing in for /etc/gslbd/gslbd.yaml) is used,
  also by check-config;
- a file whose control endpoint is off, a YAML error (file:line:col) and a missing file are
  clear errors;
- `gslbctl members` lists POOL<TAB>MEMBER, and the bash completion (contrib/bash-completion,
  run by a real bash with Debian's bash-completion) offers commands, options, pools, members
  and force states from the running gslbd."""

import os
import re
import shutil
import subprocess
import tempfile

import control_harness as c
import pool_harness as p

REPO = os.path.dirname(os.path.dirname(c.h.HERE))
COMPLETION = os.path.join(REPO, "contrib", "bash-completion", "gslbctl")
BASH_COMPLETION = "/usr/share/bash-completion/bash_completion"


class GslbctlConfig(c.ControlTestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="gslbctl-config-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def run_ok(self, args, env=None):
        r = c.run_ctl(args, env=env)
        self.assertEqual(r.returncode, 0, "gslbctl %s: exit %d\nstdout:\n%s\nstderr:\n%s"
                         % (" ".join(args), r.returncode, r.stdout, r.stderr))
        return r

    def drained(self, member):
        return self.member("web", member)["drained"]

    def test_a_status_and_admin_from_the_main_file(self):
        self.wait_both_up()
        main = self.server.main_path
        r = self.run_ok(["-c", main, "status"])
        self.assertRegex(r.stdout, r"(?m)^web\s+a\s")
        # the token comes from control.token_file, relative to the main file's directory
        # A drain reaches the health thread by message: /status shows it a moment later.
        self.run_ok(["-c", main, "drain", "web", "b"])
        try:
            self.wait_until("b drained in /status", lambda: self.drained("b"))
        finally:
            self.run_ok(["-c", main, "undrain", "web", "b"])
        self.wait_until("b no longer drained in /status", lambda: not self.drained("b"))
        # the same main file named through a relative path, from its own directory
        r = subprocess.run([c.gslbctl_binary(), "-c", os.path.basename(main), "drain", "web",
                            "a"], capture_output=True, text=True, timeout=c.CTL_TIMEOUT,
                           cwd=os.path.dirname(main), env=self.clean_env())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.run_ok(["-c", main, "undrain", "web", "a"])

    def clean_env(self, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith("GSLBCTL_")}
        env.update(extra)
        return env

    def test_b_precedence(self):
        self.wait_both_up()
        live = "127.0.0.1:%d" % self.cport
        dead = "127.0.0.1:%d" % c.free_port_nothing_listens()
        elsewhere = self.write("elsewhere.yaml",
                               'version: 1\ncontrol:\n  listen: "%s"\n  token_file: %s\n'
                               % (dead, self.server.token_path))
        # the file's address is used, and refused
        r = c.run_ctl(["-c", elsewhere, "status"])
        self.assertEqual(r.returncode, 1)
        self.assertIn(dead, r.stderr)
        # --control beats the file; the file still gives the token
        self.run_ok(["-c", elsewhere, "--control", live, "drain", "web", "a"])
        self.run_ok(["-c", elsewhere, "--control", live, "undrain", "web", "a"])
        # GSLBCTL_CONTROL beats the file too
        self.run_ok(["-c", elsewhere, "status"], env={"GSLBCTL_CONTROL": live})
        # --token-file beats the file's token_file: a wrong token is refused
        wrong = self.write("wrong.token", "not-the-right-token-at-all\n")
        r = c.run_ctl(["-c", self.server.main_path, "--token-file", wrong, "drain", "web", "a"])
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("401", r.stderr)
        self.assertFalse(self.drained("a"))

    def test_c_installed_file_by_default(self):
        self.wait_both_up()
        env = {"GSLBCTL_CONFIG": self.server.main_path}
        r = self.run_ok(["status"], env=env)
        self.assertRegex(r.stdout, r"(?m)^web\s+b\s")
        self.run_ok(["drain", "web", "a"], env=env)
        self.run_ok(["undrain", "web", "a"], env=env)
        r = self.run_ok(["check-config"], env=env)
        self.assertIn(": ok: ", r.stdout)
        # an explicit endpoint is another instance: the default file's token is not sent
        for extra_args, extra_env in ((["--control", "127.0.0.1:%d" % self.cport], {}),
                                      ([], {"GSLBCTL_CONTROL": "127.0.0.1:%d" % self.cport})):
            r = c.run_ctl(extra_args + ["drain", "web", "a"], env=dict(env, **extra_env))
            self.assertEqual(r.returncode, 1, r)
            self.assertIn("401", r.stderr)
            self.assertIn("--token-file", r.stderr)
        self.assertFalse(self.drained("a"))
        # a default file that does not exist: the built-in default address
        r = c.run_ctl(["--timeout", "2", "status"],
                      env={"GSLBCTL_CONFIG": os.path.join(self.tmp, "absent.yaml")})
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("127.0.0.1:9253", r.stderr)

    def test_d_errors(self):
        off = self.write("off.yaml", "version: 1\ncontrol:\n  enabled: false\n")
        r = c.run_ctl(["-c", off, "status"])
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("control endpoint turned off", r.stderr)
        bad = self.write("bad.yaml", "version: 1\ncontrol:\n  listen: [unclosed\n")
        r = c.run_ctl(["-c", bad, "status"])
        self.assertEqual(r.returncode, 1, r)
        self.assertRegex(r.stderr, re.escape(bad) + r":\d+:\d+: ")
        nested = self.write("nested.yaml", "version: 1\ncontrol:\n  listen: {a: b}\n")
        r = c.run_ctl(["-c", nested, "status"])
        self.assertEqual(r.returncode, 1, r)
        self.assertIn(nested + ":3:11: 'control.listen' must be a string", r.stderr)
        missing = os.path.join(self.tmp, "missing.yaml")
        r = c.run_ctl(["-c", missing, "status"])
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("cannot read " + missing, r.stderr)
        # a token file named by the config that is missing fails admin actions clearly
        no_token = self.write("no-token.yaml", 'version: 1\ncontrol:\n  listen: "127.0.0.1:%d"\n'
                              "  token_file: nowhere.token\n" % self.cport)
        r = c.run_ctl(["-c", no_token, "drain", "web", "a"])
        self.assertEqual(r.returncode, 1, r)
        self.assertIn(os.path.join(self.tmp, "nowhere.token"), r.stderr)

    def test_e_members(self):
        r = self.run_ok(["-c", self.server.main_path, "members"])
        self.assertEqual(r.stdout, "web\ta\nweb\tb\n")

    def complete(self, line):
        """Runs the completion for line (the cursor at its end) in a real bash; the words."""
        if not os.path.exists(BASH_COMPLETION):
            self.fail("bash-completion is not installed (tools/install-deps --test installs it)")
        script = "\n".join([
            "source %s" % BASH_COMPLETION,
            "source %s" % COMPLETION,
            'COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}',
            'read -ra COMP_WORDS <<< "$COMP_LINE"',
            '[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")',
            "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))",
            "_gslbctl gslbctl \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"",
            'printf "%s\\n" "${COMPREPLY[@]}"',
        ])
        path = os.path.dirname(os.path.abspath(c.gslbctl_binary()))
        env = self.clean_env(PATH=path + ":" + os.environ.get("PATH", "/usr/bin:/bin"))
        r = subprocess.run(["bash", "-c", script, "complete", line], capture_output=True,
                           text=True, timeout=30, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        return sorted(w for w in r.stdout.split("\n") if w)

    def test_f_bash_completion(self):
        main = self.server.main_path
        self.assertEqual(self.complete("gslbctl "),
                         sorted(["status", "drain", "undrain", "force", "weight", "reload",
                                 "explain",
                                 "members", "check-config", "ds"]))
        self.assertEqual(self.complete("gslbctl dr"), ["drain"])
        self.assertIn("--control", self.complete("gslbctl --con"))
        self.assertEqual(self.complete("gslbctl -c %s drain " % main), ["web"])
        self.assertEqual(self.complete("gslbctl -c %s drain web " % main), ["a", "b"])
        self.assertEqual(self.complete("gslbctl --control 127.0.0.1:%d force web " % self.cport),
                         ["a", "b"])
        self.assertEqual(self.complete("gslbctl -c %s force web a " % main),
                         ["auto", "down", "up"])
        # no gslbd there: nothing to offer, and no error printed into the command line
        dead = "127.0.0.1:%d" % c.free_port_nothing_listens()
        self.assertEqual(self.complete("gslbctl --control %s drain " % dead), [])


if __name__ == "__main__":
    p.main()
