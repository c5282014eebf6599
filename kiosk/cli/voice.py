"""`kiosk voice`: make or check a voice pack (docs/voice-packs.md).

--build DIR   record every clip with the offline engine (the example pack, or a template to re-record)
--check DIR   load the pack as the kiosk would and name every missing or bad clip
--script      print what each clip must say, for a county recording its own voice
"""

from __future__ import annotations

import argparse
import sys

from kiosk.cli.common import kiosk_config


def cmd_voice(args: argparse.Namespace) -> int:
    from kiosk.rules import load_rulebook
    from kiosk.speech.packs import VoicePackError, clip_texts, load_voice_pack, write_voice_pack

    config = kiosk_config(args)
    rulebook = load_rulebook(config.policy_dir)
    texts = clip_texts({code: policy.name for code, policy in rulebook.policies.items()})
    if args.script:
        for key, text in sorted(texts.items()):
            print(f"{key}\t{text}")
        return 0
    if args.build:
        from kiosk.speech.engine import NORMAL_WPM, EspeakEngine, SpeechEngineError

        try:
            engine = EspeakEngine()
        except SpeechEngineError as error:
            print(f"kiosk voice: {error}", file=sys.stderr)
            return 2
        count = write_voice_pack(args.build, args.name, texts, lambda text: engine.synthesize(text))
        print(f"Wrote {count} clips to {args.build} with {engine.name} ({NORMAL_WPM} wpm).")
        return 0
    try:
        pack = load_voice_pack(args.check, rulebook.codes)
    except VoicePackError as error:
        print(f"kiosk voice: {error}", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    seconds = sum(clip.seconds for clip in pack.clips.values())
    print(f"{pack.name} ({pack.language}): {len(pack.clips)} clips, {seconds:.0f} s of speech, complete.")
    return 0
