# SPDX-License-Identifier: Apache-2.0
"""gslbd --control ADDR:PORT replaces control.listen of the main file: the endpoint answers on
the command line's port, nothing listens on the file's port, and gslbctl works against it."""

import socket

import control_harness as c
import pool_harness as p


class ControlOverride(c.ControlTestCase):
    CONTROL_FLAG = True  # main file: one free port; --control: another

    def test_endpoint_on_the_command_line_port(self):
        srv = self.server
        self.assertNotEqual(srv.control_port, srv.file_control_port)
        self.assertIn("--control", srv.cmd)
        with open(srv.main_path) as f:
            self.assertIn('listen: "127.0.0.1:%d"' % srv.file_control_port, f.read())
        r = self.get("/healthz")
        self.assertEqual((r.status, r.text), (200, "ok\n"))
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", srv.file_control_port), timeout=2).close()
        self.assertEqual(self.ctl_ok("status", token=False).returncode, 0)
        self.wait_both_up()
        self.ctl_ok("drain", "web", "a")
        self.wait_answer("web", [c.B])
        self.ctl_ok("undrain", "web", "a")
        self.wait_answer("web", c.BOTH)

    def test_override_survives_reload(self):
        # the file still names the other port; a reload must not move the endpoint
        self.assertEqual(self.admin("reload").status, 200)
        self.server.reload_and_wait()
        self.assertEqual(self.get("/healthz").status, 200)
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", self.server.file_control_port),
                                     timeout=2).close()


if __name__ == "__main__":
    p.main()
