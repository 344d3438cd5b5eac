"""Account recovery: a pupil who has left school, whose account has only a username, proves who
they are against the imported records and gives the account an e-mail address and a new password."""
