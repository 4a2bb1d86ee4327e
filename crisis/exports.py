"""CSV downloads that spreadsheet programs open as UTF-8 and never run as formulas."""

import csv

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

# A cell starting with one of these runs as a formula in a spreadsheet (= + - @), or hides one
# behind a tab or carriage return that the program skips.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """``value`` as text a spreadsheet shows as it is: a leading quote disarms a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class CsvDownload:
    """An attachment named ``<name>-<local time>.csv``; every cell written goes through
    :func:`csv_safe`, so no column can be forgotten."""

    def __init__(self, name):
        self.response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        self.response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
        # The byte-order mark tells Excel the file is UTF-8 (without it, “é” turns into “Ã©”).
        self.response.write("\ufeff")
        self._writer = csv.writer(self.response)

    def writerow(self, values):
        self._writer.writerow([csv_safe(value) for value in values])

    def stream(self, header, rows):
        """A streaming response of ``header`` and then ``rows`` (any iterable, read lazily: pass
        a queryset's ``iterator()``), with the same name, byte-order mark and formula guard, in
        place of :attr:`response`. Memory stays flat however many rows; the first bytes leave
        before the last row is read."""
        response = StreamingHttpResponse(
            self._lines(header, rows), content_type=self.response["Content-Type"]
        )
        response["Content-Disposition"] = self.response["Content-Disposition"]
        return response

    @staticmethod
    def _lines(header, rows):
        buffer = _Line()
        writer = csv.writer(buffer)
        yield "\ufeff"
        writer.writerow([csv_safe(value) for value in header])
        chunk = [buffer.take()]
        for values in rows:
            writer.writerow([csv_safe(value) for value in values])
            chunk.append(buffer.take())
            if len(chunk) >= 500:
                yield "".join(chunk)
                chunk = []
        yield "".join(chunk)


class _Line:
    """A file for csv.writer that hands back what was written since the last ``take()``."""

    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def take(self):
        text, self.text = self.text, ""
        return text
