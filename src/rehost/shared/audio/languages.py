"""Language codes as the neutral contract gives them: ISO 639-1 (``en``) where the language has one.

Hosts answer in three spellings: ISO 639-1 (Deepgram ``en``), ISO 639-3 / 639-2 (ElevenLabs ``eng``) and English
names (OpenAI's verbose_json ``english``, Whisper's own names). ``iso639_1`` folds the common ones into the
two-letter code and leaves anything else as the host gave it (lower case), so nothing is lost.
"""

from __future__ import annotations

__all__ = ["iso639_1"]

_NAMES = {
    "english": "en", "chinese": "zh", "german": "de", "spanish": "es", "russian": "ru", "korean": "ko",
    "french": "fr", "japanese": "ja", "portuguese": "pt", "turkish": "tr", "polish": "pl", "catalan": "ca",
    "dutch": "nl", "arabic": "ar", "swedish": "sv", "italian": "it", "indonesian": "id", "hindi": "hi",
    "finnish": "fi", "vietnamese": "vi", "hebrew": "he", "ukrainian": "uk", "greek": "el", "malay": "ms",
    "czech": "cs", "romanian": "ro", "danish": "da", "hungarian": "hu", "tamil": "ta", "norwegian": "no",
    "thai": "th", "urdu": "ur", "croatian": "hr", "bulgarian": "bg", "lithuanian": "lt", "welsh": "cy",
    "slovak": "sk", "telugu": "te", "persian": "fa", "latvian": "lv", "bengali": "bn", "serbian": "sr",
    "slovenian": "sl", "estonian": "et", "basque": "eu", "icelandic": "is", "armenian": "hy", "swahili": "sw",
    "galician": "gl", "marathi": "mr", "punjabi": "pa", "afrikaans": "af", "tagalog": "tl", "filipino": "tl",
}
_THREE = {
    "eng": "en", "zho": "zh", "chi": "zh", "cmn": "zh", "deu": "de", "ger": "de", "spa": "es", "rus": "ru",
    "kor": "ko", "fra": "fr", "fre": "fr", "jpn": "ja", "por": "pt", "tur": "tr", "pol": "pl", "cat": "ca",
    "nld": "nl", "dut": "nl", "ara": "ar", "swe": "sv", "ita": "it", "ind": "id", "hin": "hi", "fin": "fi",
    "vie": "vi", "heb": "he", "ukr": "uk", "ell": "el", "gre": "el", "msa": "ms", "ces": "cs", "cze": "cs",
    "ron": "ro", "rum": "ro", "dan": "da", "hun": "hu", "tam": "ta", "nor": "no", "nob": "no", "tha": "th",
    "urd": "ur", "hrv": "hr", "bul": "bg", "lit": "lt", "cym": "cy", "slk": "sk", "tel": "te", "fas": "fa",
    "per": "fa", "lav": "lv", "ben": "bn", "srp": "sr", "slv": "sl", "est": "et", "eus": "eu", "isl": "is",
    "hye": "hy", "swa": "sw", "glg": "gl", "mar": "mr", "pan": "pa", "afr": "af", "tgl": "tl", "fil": "tl",
}


def iso639_1(value: str | None) -> str | None:
    """The two-letter code of a language a host named (None stays None; an unknown name stays as given)."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    low = text.lower()
    region = low.split("-", 1)[0].split("_", 1)[0]
    if len(region) == 2:
        return region
    return _THREE.get(region) or _NAMES.get(low) or low
