"""Notices (issue 19): one service that tells people what concerns them, in
the system, by email or by SMS. It sits low (it imports only chunshu_union
and accounts) so that every app above can call `notices.services.notify`."""
