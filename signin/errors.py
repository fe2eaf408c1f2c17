"""Why a sign-in was refused. Each reason has a Swedish page (views.failure)."""


class SignInError(Exception):
    """A sign-in that must not go through. `reason` picks the page; `detail`
    is shown on it (a claim's name, never a token or a secret)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
