"""The video kind's neutral contract, one concept per module: the request, a frame image, sizes, job
statuses and one poll's answer, progress events, the result, the job that survives the process, and the
pricing of a video by second or by video."""

from .events import Progress
from .job import Job
from .media import Media, MediaLike, as_media
from .request import VideoRequest
from .sender import VideoSender
from .status import FINISHED, JobState, JobStatus, VideoFile
from .video import Video, VideoTimings

__all__ = ["FINISHED", "Job", "JobState", "JobStatus", "Media", "MediaLike", "Progress", "Video", "VideoFile",
           "VideoRequest", "VideoSender", "VideoTimings", "as_media"]
