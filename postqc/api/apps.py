from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "postqc.api"
    label = "api"
    verbose_name = "API"

    def ready(self):
        from django.conf import settings
        from django.db.models.signals import post_delete, post_save

        from postqc.org.models import StaffRole

        from .services import token_cache_forget_staff

        def forget_staff(sender, instance, **kwargs):
            token_cache_forget_staff(instance.pk)

        def forget_role_owner(sender, instance, **kwargs):
            token_cache_forget_staff(instance.staff_id)

        post_save.connect(forget_staff, sender=settings.AUTH_USER_MODEL, weak=False, dispatch_uid="api-token-staff")
        post_delete.connect(forget_staff, sender=settings.AUTH_USER_MODEL, weak=False, dispatch_uid="api-token-staff-del")
        post_save.connect(forget_role_owner, sender=StaffRole, weak=False, dispatch_uid="api-token-role")
        post_delete.connect(forget_role_owner, sender=StaffRole, weak=False, dispatch_uid="api-token-role-del")
