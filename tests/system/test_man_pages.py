# SPDX-License-Identifier: Apache-2.0
"""The man pages and the bash completion cover what the programs accept: every option in
`gslbd --help` is described in gslbd(8); every option and command in `gslbctl --help` is in
gslbctl(8) and offered by the bash completion; and each page's source is valid scdoc (built
here with scdoc when it is installed, as CMake does)."""

import os
import re
import shutil
import subprocess
import unittest

import control_harness as c
import gslbd_harness as h

REPO = os.path.dirname(os.path.dirname(h.HERE))
MAN = os.path.join(REPO, "docs", "man")
COMPLETION = os.path.join(REPO, "contrib", "bash-completion", "gslbctl")


def help_text(binary):
    r = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30)
    return r.stdout + r.stderr


def options(text):
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[a-z])\b", text))


def read(path):
    with open(path) as f:
        return f.read()


class ManPages(unittest.TestCase):
    def test_gslbd_options(self):
        page = read(os.path.join(MAN, "gslbd.8.scd"))
        for opt in options(help_text(h.binary())):
            self.assertIn("*%s*" % opt, page, "gslbd(8) does not describe %s" % opt)

    def gslbctl_help(self):
        # the description column of the command list quotes gslbd's own options: leave it out
        text = "\n".join(re.split(r"(?<=\S)\s{3,}", line)[0] if line.startswith("  ") else line
                         for line in help_text(c.gslbctl_binary()).splitlines())
        commands = re.findall(r"(?m)^  ([a-z][a-z-]+)\b", text)
        return options(text), commands

    def test_gslbctl_options_and_commands(self):
        page = read(os.path.join(MAN, "gslbctl.8.scd"))
        opts, commands = self.gslbctl_help()
        self.assertIn("status", commands)
        self.assertIn("members", commands)
        for opt in opts:
            self.assertIn("*%s*" % opt, page, "gslbctl(8) does not describe %s" % opt)
        for command in commands:
            self.assertRegex(page, r"(?m)^\*%s\*" % re.escape(command),
                             "gslbctl(8) does not describe the command %s" % command)

    def test_completion_offers_everything(self):
        script = read(COMPLETION)
        opts, commands = self.gslbctl_help()
        for word in list(opts) + commands:
            self.assertRegex(script, r"(?<![\w-])%s(?![\w-])" % re.escape(word),
                             "the bash completion does not offer %s" % word)

    def test_pages_build(self):
        scdoc = shutil.which("scdoc")
        if scdoc is None:
            self.fail("scdoc is missing (tools/install-deps --build installs it)")
        for name in ("gslbd.8.scd", "gslbctl.8.scd", "gslbd.yaml.5.scd"):
            with open(os.path.join(MAN, name)) as f:
                r = subprocess.run([scdoc], stdin=f, capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 0, "%s: %s" % (name, r.stderr))
            self.assertIn(".TH", r.stdout)


if __name__ == "__main__":
    h.main()
