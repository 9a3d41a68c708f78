# Login and logout.
login-title = Log in
login-username = User name
login-password = Password
login-submit = Log in
login-forgot = Forgot your password?
login-failed = The user name or password is incorrect.
login-locked = Too many wrong passwords: this account is locked. Try again after { $until }.
login-too-many-attempts = Too many login attempts from your network. Please wait a few minutes and try again.
login-logged-out = You have logged out.
login-session-expired = Your session has ended. Please log in again.
login-password-was-reset = Your password has been changed. Please log in with the new one.
