-- wrk: userinfo GETs with a signed-in person's access token.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_USER_TOKEN")
