"""The boto3 usage analyzer: each pattern it follows, and what it must not invent."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from chalice.build.analyzer import analyze_project, analyze_sources
from chalice.build.boto3_models import ResourceModels
from chalice.errors import AppLoadError


def calls(source: str, **modules: str) -> dict[str, set[str]]:
    sources = {"app": textwrap.dedent(source)}
    sources.update({name.replace("__", "."): textwrap.dedent(src) for name, src in modules.items()})
    return analyze_sources(sources)


def test_client_with_literal_service_at_module_level() -> None:
    assert calls(
        """
        import boto3
        s3 = boto3.client('s3')
        s3.list_buckets()
        """
    ) == {"s3": {"list_buckets"}}


def test_service_name_bound_to_a_literal_and_keyword_form() -> None:
    assert calls(
        """
        import boto3
        SERVICE = 'dynamodb'
        boto3.client(SERVICE).put_item()
        boto3.client(service_name='sqs').send_message()
        """
    ) == {"dynamodb": {"put_item"}, "sqs": {"send_message"}}


def test_import_aliases_and_from_imports() -> None:
    assert calls(
        """
        import boto3 as aws
        from boto3 import client as make
        from boto3.session import Session
        aws.client('sns').publish()
        make('sqs').send_message()
        Session().client('kinesis').put_record()
        """
    ) == {"sns": {"publish"}, "sqs": {"send_message"}, "kinesis": {"put_record"}}


def test_session_client_and_session_module() -> None:
    assert calls(
        """
        import boto3
        import boto3.session
        sess = boto3.Session(region_name='us-east-1')
        sess.client('s3').get_object()
        boto3.session.Session().client('sts').get_caller_identity()
        """
    ) == {"s3": {"get_object"}, "sts": {"get_caller_identity"}}


def test_decorated_view_is_an_entry_point_and_uses_module_global() -> None:
    assert calls(
        """
        import boto3
        from chalice import Chalice
        app = Chalice(app_name='x')
        ddb = boto3.client('dynamodb')

        @app.route('/')
        def index():
            return ddb.get_item(TableName='t')
        """
    ) == {"dynamodb": {"get_item"}}


@pytest.mark.parametrize(
    "decorator",
    [
        "app.on_cw_event({'source': ['aws.ec2']})",
        "app.on_kinesis_record(stream='s')",
        "app.on_dynamodb_record(stream_arn='arn')",
        "app.schedule('rate(1 hour)')",
        "app.on_sqs_message(queue='q')",
        "app.lambda_function()",
        "app.authorizer()",
        "app.on_ws_message()",
        "bp.route('/x')",
        "app.middleware('all')",
    ],
)
def test_every_chalice_decorator_counts_as_entry_point(decorator: str) -> None:
    source = f"""
    import boto3
    @{decorator}
    def handler(event, *rest):
        boto3.client('sqs').send_message()
    """
    assert calls(source) == {"sqs": {"send_message"}}


def test_undecorated_uncalled_function_is_not_analyzed() -> None:
    assert (
        calls(
            """
        import boto3
        def never_called():
            boto3.client('s3').delete_bucket()
        """
        )
        == {}
    )


def test_client_created_but_no_method_called_records_nothing() -> None:
    assert calls("import boto3\nc = boto3.client('s3')\n") == {}


def test_non_boto3_objects_are_ignored() -> None:
    assert (
        calls(
            """
        import requests, boto3
        client = requests.Session()
        client.get('http://x')
        boto3.client(compute_name()).put()
        other = {}
        other.get('x')
        """
        )
        == {}
    )


def test_helper_positional_and_keyword_args_and_return_values() -> None:
    assert calls(
        """
        import boto3
        def make(name):
            return boto3.client(name)
        def use(a, b=None, *, c=None):
            a.put_object()
            b.send_message()
            c.publish()
        @app.route('/')
        def index():
            use(make('s3'), b=make('sqs'), c=boto3.client('sns'))
        """
    ) == {"s3": {"put_object"}, "sqs": {"send_message"}, "sns": {"publish"}}


def test_default_argument_client() -> None:
    assert calls(
        """
        import boto3
        def use(c=boto3.client('ssm')):
            c.get_parameter()
        use()
        """
    ) == {"ssm": {"get_parameter"}}


def test_lazy_global_initialisation() -> None:
    assert calls(
        """
        import boto3
        _client = None
        def get_client():
            global _client
            if _client is None:
                _client = boto3.client('secretsmanager')
            return _client
        @app.lambda_function()
        def handler(event, context):
            get_client().get_secret_value(SecretId='x')
        """
    ) == {"secretsmanager": {"get_secret_value"}}


def test_attributes_on_objects_and_classes() -> None:
    assert calls(
        """
        import boto3
        class Store:
            table_client = boto3.client('dynamodb')
            def __init__(self, bucket):
                self.s3 = boto3.client('s3')
            def save(self):
                self.s3.put_object()
                self.table_client.put_item()
        app.s3_helper = boto3.client('sqs')
        @app.route('/')
        def index():
            app.s3_helper.send_message()
            Store('b')
        """
    ) == {"s3": {"put_object"}, "dynamodb": {"put_item"}, "sqs": {"send_message"}}


def test_comprehensions_loops_and_containers() -> None:
    assert calls(
        """
        import boto3
        clients = [boto3.client(n) for n in ('sqs', 'sns')]
        for c in clients:
            c.tag_resource()
        by_name = {n: boto3.client(n) for n in ['kinesis']}
        by_name['kinesis'].list_streams()
        lookup = {}
        lookup['x'] = boto3.client('ssm')
        lookup['x'].get_parameter()
        first, second = boto3.client('s3'), boto3.client('sts')
        second.get_caller_identity()
        """
    ) == {
        "sqs": {"tag_resource"},
        "sns": {"tag_resource"},
        "kinesis": {"list_streams"},
        "ssm": {"get_parameter"},
        "sts": {"get_caller_identity"},
    }


def test_async_defs_await_and_closures() -> None:
    assert calls(
        """
        import boto3
        async def fetch(c):
            return c.get_object()
        @app.route('/')
        async def index():
            s3 = boto3.client('s3')
            def inner():
                s3.head_object()
            inner()
            await fetch(s3)
            (lambda: boto3.client('sqs').purge_queue())()
        """
    ) == {"s3": {"get_object", "head_object"}, "sqs": {"purge_queue"}}


def test_callbacks_passed_to_unknown_callables() -> None:
    assert calls(
        """
        import boto3
        from concurrent.futures import ThreadPoolExecutor
        def work(item):
            boto3.client('lambda').invoke()
        with ThreadPoolExecutor() as pool:
            pool.map(work, [1, 2])
        """
    ) == {"lambda": {"invoke"}}


def test_paginator_presigned_url_and_getattr() -> None:
    assert calls(
        """
        import boto3
        s3 = boto3.client('s3')
        s3.get_paginator('list_objects_v2').paginate(Bucket='b')
        s3.generate_presigned_url('get_object', Params={})
        getattr(boto3.client('sqs'), 'send_message')()
        """
    ) == {
        "s3": {"list_objects_v2", "get_object"},
        "sqs": {"send_message"},
    }


def test_recursion_terminates() -> None:
    assert calls(
        """
        import boto3
        def walk(c, n):
            c.list_queues()
            return walk(c, n - 1)
        walk(boto3.client('sqs'), 3)
        class Node:
            def __init__(self):
                self.child = Node()
        Node()
        """
    ) == {"sqs": {"list_queues"}}


def test_resources_mapped_through_boto3_models() -> None:
    result = calls(
        """
        import boto3
        ddb = boto3.resource('dynamodb')
        table = ddb.Table('users')
        table.put_item(Item={})
        table.query()
        with table.batch_writer() as batch:
            pass
        print(table.item_count)
        s3 = boto3.resource('s3')
        for obj in s3.Bucket('b').objects.filter(Prefix='p'):
            obj.delete()
        s3.Object('b', 'k').get()
        s3.Bucket('b').upload_file('f', 'k')
        ddb.meta.client.describe_limits()
        """
    )
    assert result == {
        "dynamodb": {"put_item", "query", "batch_write_item", "describe_table", "describe_limits"},
        "s3": {"list_objects", "delete_object", "get_object", "upload_file"},
    }


def test_resources_without_models_fall_back_to_method_names() -> None:
    sources = {
        "app": "import boto3\nboto3.resource('dynamodb').Table('t').put_item()\n",
    }
    empty = ResourceModels(None, find=False)
    assert analyze_sources(sources, resources=empty) == {"dynamodb": {"put_item"}}


def test_chalicelib_modules_are_analyzed(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        textwrap.dedent(
            """
            from chalice import Chalice
            from chalicelib import storage
            from chalicelib.queue import send
            import chalicelib.notify as notify
            app = Chalice(app_name='x')
            app.register_blueprint(storage.bp)

            @app.route('/')
            def index():
                send()
                notify.ping()
            """
        )
    )
    lib = tmp_path / "chalicelib"
    lib.mkdir()
    (lib / "__init__.py").write_text("")
    (lib / "storage.py").write_text(
        textwrap.dedent(
            """
            import boto3
            from chalice import Blueprint
            from .clients import S3
            bp = Blueprint(__name__)
            @bp.on_s3_event(bucket='b')
            def on_upload(event):
                S3.copy_object()
            """
        )
    )
    (lib / "clients.py").write_text("import boto3\nS3 = boto3.client('s3')\n")
    (lib / "queue.py").write_text(
        "import boto3\n_sqs = boto3.client('sqs')\ndef send():\n    _sqs.send_message()\n"
    )
    (lib / "notify.py").write_text("import boto3\ndef ping():\n    boto3.client('sns').publish()\n")
    assert analyze_project(tmp_path) == {
        "s3": {"copy_object"},
        "sqs": {"send_message"},
        "sns": {"publish"},
    }


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import boto3\n\ndef broken(:\n")
    with pytest.raises(AppLoadError) as info:
        analyze_project(tmp_path)
    assert "app.py, line 3" in str(info.value)


def test_missing_app_file_gives_empty_result(tmp_path: Path) -> None:
    assert analyze_project(tmp_path) == {}


def test_result_is_independent_of_run() -> None:
    source = "import boto3\nc = boto3.client('s3')\nc.put_object()\nc.get_object()\n"
    assert calls(source) == calls(source)


def test_recursion_with_growing_arguments_terminates() -> None:
    assert calls(
        """
        import boto3
        def grow(x):
            boto3.client('sqs').list_queues()
            return grow([x])
        grow(1)
        """
    ) == {"sqs": {"list_queues"}}


def test_waiters_record_the_operation_they_poll() -> None:
    assert calls(
        """
        import boto3
        boto3.client('dynamodb').get_waiter('table_exists').wait(TableName='t')
        boto3.resource('s3').Object('b', 'k').wait_until_exists()
        """
    ) == {"dynamodb": {"describe_table"}, "s3": {"head_object"}}


def test_aioboto3_and_plain_botocore_clients() -> None:
    assert calls(
        """
        import aioboto3
        import botocore.session
        from botocore.session import get_session

        @app.route('/')
        async def index():
            session = aioboto3.Session()
            async with session.client('s3') as s3:
                await s3.put_object(Bucket='b', Key='k')
            botocore.session.get_session().create_client('sqs').send_message()
            get_session().create_client('sns').publish()
        """
    ) == {"s3": {"put_object"}, "sqs": {"send_message"}, "sns": {"publish"}}
