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
# The sample rules and flows are the defaults (samples/rules, samples/flows under the
# working directory); mount your own and point JDS_RULES_DIR / JDS_FLOWS_DIR at them.
COPY --from=build /src/samples/rules /srv/jds/samples/rules
COPY --from=build /src/samples/flows /srv/jds/samples/flows
WORKDIR /srv/jds
ENV JDS_ADDR=":8080" JDS_DATA_DIR="/data"
VOLUME ["/data"]
EXPOSE 8080
USER nonroot
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s CMD ["/usr/local/bin/jds", "health"]
ENTRYPOINT ["/usr/local/bin/jds"]
CMD ["serve"]
