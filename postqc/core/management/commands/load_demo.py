"""`postqc load_demo` (run by `make demo`): load every app's demo data, then print the demo sign-ins."""
import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from postqc.core.demo import DEFAULT_SEED, demo_logins, format_logins, load_demo


class Command(BaseCommand):
    help = "Load the demo city (吉林市分公司: 143 outlets, about 2,000 staff) and print one sign-in per role."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help=f"seed of the generated names, numbers and mix (default {DEFAULT_SEED})")
        parser.add_argument("--reset", action="store_true",
                            help="delete the demo data (unit JL and everything under it) first, then load it anew")

    def handle(self, *args, seed: int, reset: bool, **options):
        started = time.perf_counter()
        try:
            load_demo(stdout=self.stdout, seed=seed, reset=reset)
        except ProtectedError as exc:
            raise CommandError(
                _("无法重置：其他数据仍引用演示单位或人员（%(what)s）。") % {"what": exc.args[0]}
            ) from exc
        self.stdout.write(_("用时 %(seconds).1f 秒。演示账号（密码相同）：") % {"seconds": time.perf_counter() - started})
        self.stdout.write(format_logins(demo_logins()), ending="")
