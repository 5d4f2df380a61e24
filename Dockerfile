# Stride Coach in a container: the web overlay on port 8000, the webcam passed in with --device.
#   docker build -t stride-coach .
#   docker run --rm -p 127.0.0.1:8000:8000 --device /dev/video0 stride-coach
FROM python:3.11-slim

# Libraries MediaPipe and OpenCV load at import time (GL/EGL, GLib). Versions follow the base image's Debian
# release, which receives security updates, so they are not pinned.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgl1 libegl1 libgles2 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    COACH_MODEL_DIR=/app/models

WORKDIR /app
COPY . /app
# Installed in place (editable) so the overlay (web/) and sample videos are found next to the code, as in a checkout.
RUN pip install --no-cache-dir -e . \
    && coach models \
    && useradd --create-home --uid 1000 --groups video coach

USER 1000
EXPOSE 8000
# 0.0.0.0 only inside the container; publish the port on 127.0.0.1 (see above) to keep it on this machine.
CMD ["coach", "serve", "--host", "0.0.0.0", "--allow-remote"]
