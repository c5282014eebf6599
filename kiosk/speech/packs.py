"""Voice packs: a folder of recorded clips and a manifest, preferred over synthesis clip by clip.

A county records its prompts, digits, units, months and programme names in Mandarin, 贵州话, 布依语 or
苗语 (spoken languages often without a written form in use) and the kiosk speaks in that voice; what the
pack lacks is synthesised. The manifest (`manifest.toml`):

    name = "示例县 普通话"
    language = "zh-CN"            # the screen language it goes with
    [clips]
    "prompt.take_card" = "prompts/take_card.wav"
    "digit.7" = "digits/7.wav"

Clips are WAV, mono, 16-bit, 22,050 Hz. A pack is checked whole when it loads: a missing key, a missing
file or a clip in another format is named, and the pack is refused (the kiosk then synthesises
everything rather than speak half a sentence in one voice and half in another by accident).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.spoken import month_words
from kiosk.speech.pcm import AudioFormatError, Pcm, read_wav, to_wav
from kiosk.speech.words import KEY_WORDS, PROMPTS, required_keys

MANIFEST = "manifest.toml"


class VoicePackError(ValueError):
    """The pack cannot be used; `problems` names each missing or bad clip."""

    def __init__(self, folder: Path, problems: list[str]) -> None:
        self.problems = problems
        shown = "；".join(problems[:20]) + ("…" if len(problems) > 20 else "")
        super().__init__(f"语音包 {folder} 不能使用：{shown}")


@dataclass(frozen=True)
class VoicePack:
    name: str
    language: str
    folder: Path
    clips: dict[str, Pcm]

    def clip(self, key: str | None) -> Pcm | None:
        return self.clips.get(key) if key else None


def load_voice_pack(folder: Path, programme_codes: Iterable[str]) -> VoicePack:
    """Load and check the pack in `folder`; raise VoicePackError naming every problem."""
    manifest_path = folder / MANIFEST
    try:
        manifest = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
    except OSError as error:
        raise VoicePackError(folder, [f"没有 {MANIFEST}（{error.strerror}）"]) from error
    except tomllib.TOMLDecodeError as error:
        raise VoicePackError(folder, [f"{MANIFEST} 格式错误：{error}"]) from error
    listed = manifest.get("clips")
    if not isinstance(listed, dict):
        raise VoicePackError(folder, [f"{MANIFEST} 里没有 [clips] 表"])
    problems = [f"缺少录音 {key}" for key in required_keys(programme_codes) if key not in listed]
    clips: dict[str, Pcm] = {}
    root = folder.resolve()
    for key, relative in sorted(listed.items()):
        path = (folder / str(relative)).resolve()
        if not path.is_relative_to(root):
            problems.append(f"{key}：{relative} 不在语音包目录里")
            continue
        try:
            clips[key] = read_wav(path.read_bytes())
        except OSError:
            problems.append(f"{key}：找不到文件 {relative}")
        except AudioFormatError as error:
            problems.append(f"{key}：{relative} {error}")
    if problems:
        raise VoicePackError(folder, problems)
    return VoicePack(
        name=str(manifest.get("name", folder.name)),
        language=str(manifest.get("language", "zh-CN")),
        folder=folder,
        clips=clips,
    )


def clip_texts(programme_names: dict[str, str]) -> dict[str, str]:
    """What each required clip says, in Mandarin: the script a county reads from when it records a pack."""
    texts = {f"prompt.{name}": text for name, text in PROMPTS.items()}
    texts.update(KEY_WORDS)  # digits and units, from the same table the composer keys them by
    texts.update({f"month.{n}": month_words(n) for n in range(1, 13)})
    texts.update({f"programme.{code}": name for code, name in programme_names.items()})
    return texts


def write_voice_pack(folder: Path, name: str, texts: dict[str, str], speak: Callable[[str], Pcm]) -> int:
    """Record every clip of `texts` with `speak` into `folder` (a pack made by an engine, or the script
    of one to record by voice); return the number of clips written."""
    (folder / "clips").mkdir(parents=True, exist_ok=True)
    lines = [f"name = {_toml_string(name)}", 'language = "zh-CN"', "", "[clips]"]
    for key, text in sorted(texts.items()):
        relative = f"clips/{key}.wav"
        (folder / relative).write_bytes(to_wav(speak(text)))
        lines.append(f"{_toml_string(key)} = {_toml_string(relative)}  # {text}")
    (folder / MANIFEST).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(texts)


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
