"""Online join applications (入会申请, issue 19): a public form per community
(or per building or event), reached by a link and a QR code; the chair or
staff decide; the members service opens the membership."""
