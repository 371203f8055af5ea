from relay.plainer import refresh_all


class JobsView:
    async def on_refresh_clicked(self):
        self.results = refresh_all(self.jobs)
