# The c360 processor image used by docker-compose.yml.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
COPY . .
# ReadyToRun (precompiled) for the image's architecture: a processor starting on a backlog does not wait for the JIT
# (docs/performance.md). TARGETARCH is BuildKit's (amd64, arm64); the SDK takes either.
ARG TARGETARCH
RUN dotnet publish src/Customer360.Streaming.Host -c Release -a "${TARGETARCH:-amd64}" --self-contained false -p:PublishReadyToRun=true -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
COPY topology /app/topology
# Listening on every interface: run it with C360__Http__ApiKey set, or it refuses to start (the pages show customer data).
ENV C360__Topology__Directory=/app/topology \
    C360__Http__Host=0.0.0.0
EXPOSE 8080
ENTRYPOINT ["dotnet", "c360.dll"]
CMD ["run"]
