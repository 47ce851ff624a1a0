"""JSON answers written with orjson: the same JSON as Flask's own provider, in less time.

Flask writes a JSON answer with the standard library, sorting the keys; for a case (the answer
to every start and completion through the API) that took about 2% of a web process's CPU under
bench.load. orjson writes the same values with the keys sorted as well; dates, decimals and
everything else JSON has no word for still go to Flask's own ``default`` (an HTTP date, as
before). Where orjson refuses a value that the standard library writes (an integer past 64 bits,
a lone surrogate, a key that is no string) the answer is written by Flask as before. The one
visible difference: characters outside ASCII are written as themselves (UTF-8), not as
``\\u`` escapes — the same JSON to any parser.
"""
from __future__ import annotations

from typing import Any, cast

import orjson
from flask.json.provider import DefaultJSONProvider
from werkzeug.sansio.response import Response

_OPTIONS = (orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
            | orjson.OPT_PASSTHROUGH_SUBCLASS)


class JsonAnswers(DefaultJSONProvider):
    def response(self, *args: Any, **kwargs: Any) -> Response:
        if self.compact is False or (self.compact is None and self._app.debug):
            return super().response(*args, **kwargs)  # indented, for people reading it
        obj = self._prepare_response_obj(args, kwargs)
        try:
            body = orjson.dumps(obj, default=self.default, option=_OPTIONS)
        except TypeError:  # orjson.JSONEncodeError: see above
            return super().response(*args, **kwargs)
        app: Any = self._app  # Flask's response class takes the body first
        return cast(Response, app.response_class(body + b"\n", mimetype=self.mimetype))
