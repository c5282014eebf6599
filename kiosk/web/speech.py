"""The voice's two contracts: `GET /speech/script` (what the current screen says, as JSON) and
`GET /speech/audio` (the same, as a WAV), both for the channel in use now; and `/speech/channel`,
which the screen polls to switch to voice mode when a headset is plugged in.

Optional arguments: `prompt=still_there&seconds=N` (the idle prompt and its countdown), `say=TEXT`
(the label the keypad's focus moved to; headset only), `slow=1` (slower speech).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from kiosk.speech import Script
from kiosk.speech.engine import SpeechEngineError
from kiosk.speech.tongue import MANDARIN, Tongue
from kiosk.web.context import services
from kiosk.web.language import DEFAULT, current, render, term, translate, voice_of
from kiosk.web.session import COOKIE

bp = Blueprint("speech", __name__, url_prefix="/speech")


def _tongue() -> Tongue:
    """The villager's language, as the voice speaks it."""
    code = current()
    if code == DEFAULT:
        return MANDARIN
    return Tongue(language=code, voice=voice_of(code), translate=translate, render=render, term=term)


def _script() -> tuple[Script, str]:
    speech = services().speech
    label = request.args.get("say", "")
    if label:
        return speech.focus(label)
    public = request.args.get("public", "")
    if public:  # a 村务公开 screen (kiosk.web.disclosure): its lists, read from the same board
        from kiosk.services.disclosure import DisclosureUnavailable

        try:
            lists = services().board.lists(services().config.current_date())
        except DisclosureUnavailable:
            lists = None
        return speech.public_screen(
            public[:16],
            lists,
            programme=request.args.get("programme", "")[:32],
            tracking=request.args.get("tracking", "")[:16],
            tongue=_tongue(),
        )
    return speech.script(
        request.cookies.get(COOKIE),
        prompt_name=request.args.get("prompt", "")[:32],
        seconds=request.args.get("seconds", default=0, type=int) or 0,
        tongue=_tongue(),
    )


@bp.get("/script")
def script() -> ResponseReturnValue:
    spoken, channel = _script()
    return jsonify(spoken.as_json(channel))


@bp.get("/audio")
def audio() -> ResponseReturnValue:
    spoken, channel = _script()
    try:
        wav = services().speech.audio(spoken, slow=request.args.get("slow") == "1", tongue=_tongue())
    except SpeechEngineError as error:
        return Response(f"speech unavailable: {error}", status=503, mimetype="text/plain")
    return Response(
        wav,
        mimetype="audio/wav",
        headers={"X-Speech-Screen": spoken.screen, "X-Speech-Channel": channel, "Cache-Control": "no-store"},
    )


@bp.get("/channel")
def channel() -> ResponseReturnValue:
    return jsonify({"channel": services().speech.channel()})
