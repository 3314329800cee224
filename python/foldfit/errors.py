"""foldfit's errors as Python exceptions. The compiled module raises these for the library's
own: InputError for an invalid input (with where it is), UsageError for a bad flag, value or
environment variable."""


class FoldfitError(Exception):
    """Base of every error foldfit raises."""


class InputError(FoldfitError, ValueError):
    """An invalid input: str(e) is the full message, "job.json:17:9: sequences[2].ligand.ccdCodes[0]:
    unknown CCD code 'XYZ'"; .file, .line, .column (0 when unknown) and .json_path say where, and
    .message what."""

    def __init__(self, text, message="", file="", line=0, column=0, json_path=""):
        super().__init__(text)
        self.message = message or text
        self.file = file
        self.line = line
        self.column = column
        self.json_path = json_path


class UsageError(FoldfitError, ValueError):
    """A bad flag, flag value or environment variable (what the command line exits 2 for)."""


class FoldfitWarning(UserWarning):
    """A finding that does not stop foldfit, e.g. a duplicate key in an input."""
