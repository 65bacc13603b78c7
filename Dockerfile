# jds: a small, non-root image with a data volume.
#   docker build -t jds .
#   docker run -p 8080:8080 -v jds-data:/data jds
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/jds ./cmd/jds \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/jds /usr/local/bin/jds
COPY --from=build --chown=nonroot:nonroot /out/data /data
WORKDIR /srv/jds
ENV JDS_ADDR=":8080" JDS_DATA_DIR="/data"
VOLUME ["/data"]
EXPOSE 8080
USER nonroot
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s CMD ["/usr/local/bin/jds", "health"]
ENTRYPOINT ["/usr/local/bin/jds"]
CMD ["serve"]
